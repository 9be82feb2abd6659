package org.subspace.orchestrator.plan;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every way to change one leaf of a record a little: each component of the record and of the
 * records, lists and enums inside it, one at a time. Used to show that every setting a stage
 * reads is part of its key.
 */
final class SpecPerturbations {
  private SpecPerturbations() {}

  /** Whether a leaf names where data lie rather than what they are: keys hold the data's sha256 instead. */
  static boolean isLocation(String path) {
    return path.equals("data.path") || path.endsWith(".data.path");
  }

  /** A record with one leaf changed, and the path of that leaf (e.g. "posterior.problem.data.features"). */
  record Perturbed(String path, Object value) {}

  /**
   * Every single-leaf change of {@code record} that its constructor accepts and that gives a
   * different record (a constructor may normalize a setting the record does not use).
   */
  static List<Perturbed> of(Record record) {
    List<Perturbed> out = new ArrayList<>();
    RecordComponent[] components = record.getClass().getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      Object value = get(components[i], record);
      for (Perturbed changed : values(components[i].getName(), value, components[i].getGenericType())) {
        Object[] arguments = arguments(record, components);
        arguments[i] = changed.value();
        Object rebuilt = construct(record.getClass(), components, arguments);
        if (rebuilt != null && !rebuilt.equals(record)) {
          out.add(new Perturbed(changed.path(), rebuilt));
        }
      }
    }
    return out;
  }

  /** Changed versions of one component's value, each with its path. */
  private static List<Perturbed> values(String path, Object value, Type type) {
    List<Perturbed> out = new ArrayList<>();
    Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    if (value instanceof Record nested) {
      for (Perturbed p : of(nested)) {
        out.add(new Perturbed(path + "." + p.path(), p.value()));
      }
    } else if (value instanceof List<?> list) {
      Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
      for (int i = 0; i < list.size(); i++) {
        for (Perturbed p : values(path + "[" + i + "]", list.get(i), element)) {
          List<Object> copy = new ArrayList<>(list);
          copy.set(i, p.value());
          out.add(new Perturbed(p.path(), copy));
        }
      }
      List<Object> longer = new ArrayList<>(list);
      longer.add(sample((Class<?>) element));
      out.add(new Perturbed(path + "[+]", longer));
    } else if (raw.isEnum()) {
      Object[] constants = raw.getEnumConstants();
      for (Object constant : constants) {
        if (constant != value) {
          out.add(new Perturbed(path, constant));
        }
      }
    } else if (value == null) {
      if (!raw.isRecord()) {
        out.add(new Perturbed(path, sample(raw)));
      }
    } else {
      out.add(new Perturbed(path, changed(value)));
    }
    return out;
  }

  private static Object changed(Object value) {
    if (value instanceof Integer v) {
      return v + 1;
    } else if (value instanceof Long v) {
      return v + 1;
    } else if (value instanceof Double v) {
      return Double.isNaN(v) ? 1.0 : v * 2 + 0.5;
    } else if (value instanceof Boolean v) {
      return !v;
    } else if (value instanceof String v) {
      return v + "-changed";
    }
    throw new IllegalArgumentException("no way to change a " + value.getClass());
  }

  private static Object sample(Class<?> type) {
    if (type == Integer.class || type == int.class) {
      return 7;
    } else if (type == String.class) {
      return "sample";
    }
    throw new IllegalArgumentException("no sample " + type);
  }

  private static Object get(RecordComponent component, Record record) {
    try {
      return component.getAccessor().invoke(record);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object[] arguments(Record record, RecordComponent[] components) {
    return Arrays.stream(components).map(c -> get(c, record)).toArray();
  }

  /** The record with these components, or null when its constructor rejects the combination. */
  private static Object construct(Class<?> type, RecordComponent[] components, Object[] arguments) {
    try {
      Constructor<?> constructor = type.getDeclaredConstructor(
          Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
      constructor.setAccessible(true);
      return constructor.newInstance(arguments);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException || e.getCause() instanceof NullPointerException) {
        return null;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
