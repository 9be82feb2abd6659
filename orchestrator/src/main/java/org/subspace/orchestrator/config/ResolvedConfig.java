package org.subspace.orchestrator.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A sweep's configuration with nothing left to look up: the defaults, the sweep file with its
 * includes and the {@code -D} overrides merged ({@link SweepConfigLoader#read}), and every
 * data path made absolute, so that it reads the same files from any working directory. Rendered
 * as HOCON it is itself a sweep file, one that plans the same stages.
 */
public record ResolvedConfig(Config config) {
  private static final ConfigRenderOptions HOCON =
      ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false);
  private static final String DATA_PATH = "data.path";
  private static final String CATALOG = "dataset-catalog";
  private static final String DATASETS = "datasets";
  /** A key one side lacks: unlike null, which overrides a fallback. */
  private static final Object ABSENT = new Object();

  /**
   * {@code resolved} from {@link SweepConfigLoader#read} of a valid sweep, with the data paths
   * of the top-level sections, of every catalog entry and of every {@code datasets} element made
   * absolute against the working directory, as the loader reads them.
   */
  public static ResolvedConfig of(Config resolved) {
    Config c = withAbsoluteDataPath(resolved);
    for (String name : c.getObject(CATALOG).keySet()) {
      String entry = ConfigUtil.joinPath(CATALOG, name);
      c = c.withValue(entry, withAbsoluteDataPath(c.getConfig(entry)).root());
    }
    List<ConfigValue> datasets = new ArrayList<>();
    for (ConfigValue element : c.getList(DATASETS)) {
      datasets.add(element instanceof ConfigObject sections ? withAbsoluteDataPath(sections.toConfig()).root()
          : element);
    }
    return new ResolvedConfig(c.withValue(DATASETS, ConfigValueFactory.fromIterable(datasets)));
  }

  /** A configuration {@link #render} wrote. */
  public static ResolvedConfig parse(String hocon) {
    return new ResolvedConfig(ConfigFactory.parseString(hocon).resolve());
  }

  private static Config withAbsoluteDataPath(Config sections) {
    if (!sections.hasPath(DATA_PATH) || sections.getValue(DATA_PATH).valueType() != ConfigValueType.STRING) {
      return sections;
    }
    // Not normalized: "a/../b" is not "b" when a is a symbolic link, and this must name the file that was read.
    String absolute = Path.of(sections.getString(DATA_PATH)).toAbsolutePath().toString();
    return sections.withValue(DATA_PATH, ConfigValueFactory.fromAnyRef(absolute));
  }

  /** HOCON that {@link SweepConfigLoader} reads as this configuration, after {@code header} as comment lines. */
  public String render(String header) {
    StringBuilder text = new StringBuilder();
    header.lines().forEach(line -> text.append("# ").append(line).append('\n'));
    return text.append('\n').append(config.root().render(HOCON)).toString();
  }

  /**
   * What differs from {@code earlier}: one {@code "key old -> new"} per leaf key, in key order.
   * Numbers compare by value, so {@code 1e-3} and {@code 0.001} are no change.
   */
  public List<String> changesSince(ResolvedConfig earlier) {
    Map<String, ConfigValue> before = leaves(earlier.config.root());
    Map<String, ConfigValue> after = leaves(config.root());
    TreeSet<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    List<String> changes = new ArrayList<>();
    for (String key : keys) {
      ConfigValue was = before.get(key);
      ConfigValue is = after.get(key);
      if (!Objects.equals(comparable(was), comparable(is))) {
        changes.add(key + " " + shown(was) + " -> " + shown(is));
      }
    }
    return changes;
  }

  /** Every leaf path, null-valued ones included ({@code Config.entrySet} skips those). */
  private static Map<String, ConfigValue> leaves(ConfigObject object) {
    Map<String, ConfigValue> leaves = new TreeMap<>();
    collectLeaves(object, new ArrayList<>(), leaves);
    return leaves;
  }

  private static void collectLeaves(ConfigObject object, List<String> path, Map<String, ConfigValue> leaves) {
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      path.add(entry.getKey());
      if (entry.getValue() instanceof ConfigObject child) {
        collectLeaves(child, path, leaves);
      } else {
        leaves.put(ConfigUtil.joinPath(path), entry.getValue());
      }
      path.remove(path.size() - 1);
    }
  }

  private static Object comparable(ConfigValue value) {
    return value == null ? ABSENT : normalized(value.unwrapped());
  }

  private static Object normalized(Object unwrapped) {
    if (unwrapped instanceof Number number) {
      return new BigDecimal(number.toString()).stripTrailingZeros();
    }
    if (unwrapped instanceof List<?> list) {
      return list.stream().map(ResolvedConfig::normalized).toList();
    }
    if (unwrapped instanceof Map<?, ?> map) {
      Map<Object, Object> normalized = new LinkedHashMap<>();
      map.forEach((k, v) -> normalized.put(k, normalized(v)));
      return normalized;
    }
    return unwrapped;
  }

  private static String shown(ConfigValue value) {
    if (value == null) {
      return "(absent)";
    }
    return value.valueType() == ConfigValueType.NULL ? "null" : String.valueOf(value.unwrapped());
  }
}
