package org.subspace.workers;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Configuration spellings of enum constants: lower case with dashes ({@code TOY_QUADRATIC} is "toy-quadratic"). */
public final class Labels {
  private Labels() {}

  public static String of(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The constant spelled {@code label}, or an IllegalArgumentException listing the choices. */
  public static <E extends Enum<E>> E parse(Class<E> type, String label) {
    for (E value : type.getEnumConstants()) {
      if (of(value).equals(label)) {
        return value;
      }
    }
    throw new IllegalArgumentException("unknown value '" + label + "' (expected one of " + choices(type) + ")");
  }

  public static String choices(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants()).map(Labels::of).collect(Collectors.joining(", "));
  }
}
