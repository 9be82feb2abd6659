package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The configuration spelling of a vocabulary constant is its {@code @JsonProperty} value, so
 * configuration files, JSON, CBOR messages, content keys and code share one spelling, written
 * once beside the constant.
 */
public final class Spelling {
  private static final ClassValue<String[]> LABELS = new ClassValue<>() {
    @Override
    protected String[] computeValue(Class<?> type) {
      Object[] constants = type.getEnumConstants();
      String[] labels = new String[constants.length];
      for (int i = 0; i < constants.length; i++) {
        String name = ((Enum<?>) constants[i]).name();
        try {
          JsonProperty property = type.getField(name).getAnnotation(JsonProperty.class);
          if (property == null) {
            throw new IllegalStateException(type.getName() + "." + name + " has no @JsonProperty spelling");
          }
          labels[i] = property.value();
        } catch (NoSuchFieldException e) {
          throw new IllegalStateException(e);
        }
      }
      return labels;
    }
  };

  private Spelling() {}

  public static String of(Enum<?> value) {
    return LABELS.get(value.getDeclaringClass())[value.ordinal()];
  }

  /** The constant spelled {@code label}, or an IllegalArgumentException listing the choices. */
  public static <E extends Enum<E>> E parse(Class<E> type, String label) {
    E[] constants = type.getEnumConstants();
    String[] labels = LABELS.get(type);
    for (int i = 0; i < constants.length; i++) {
      if (labels[i].equals(label)) {
        return constants[i];
      }
    }
    throw new IllegalArgumentException("unknown value '" + label + "' (expected one of " + choices(type) + ")");
  }

  public static String choices(Class<? extends Enum<?>> type) {
    return Arrays.stream(LABELS.get(type)).collect(Collectors.joining(", "));
  }
}
