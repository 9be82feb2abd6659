package org.subspace.orchestrator.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.subspace.orchestrator.config.SweepSpec.DataSource;
import org.subspace.orchestrator.config.SweepSpec.SplitKind;
import org.subspace.protocol.BadInputException;
import org.subspace.workers.data.FeatureMap;
import org.subspace.workers.data.TableFormat;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.MlpSpec;
import org.subspace.workers.train.LearningRateSchedule;
import org.subspace.workers.train.TrainingSettings;

/**
 * Reads a sweep file (HOCON) over the defaults in {@code sweep-defaults.conf}, applies
 * overrides ({@code -D key=value}), and validates everything before any work starts. Every
 * problem becomes a {@link BadInputException} whose one-line message names the key.
 */
public final class SweepConfigLoader {
  private static final String DEFAULTS_RESOURCE = "sweep-defaults.conf";

  private final Config defaults = ConfigFactory.parseResources(
      SweepConfigLoader.class, "/" + DEFAULTS_RESOURCE, ConfigParseOptions.defaults().setAllowMissing(false));

  public SweepSpec load(Path file, Map<String, String> overrides) {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + ": sweep file not found");
    }
    Config user;
    try {
      user = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
      for (Map.Entry<String, String> override : overrides.entrySet()) {
        user = parseOverride(override.getKey(), override.getValue()).withFallback(user);
      }
      user = user.resolve();
    } catch (ConfigException e) {
      throw new BadInputException("bad configuration: " + oneLine(e.getMessage()), e);
    }
    rejectUnknownKeys(user);
    Config config = user.withFallback(defaults).resolve();
    try {
      return parse(config);
    } catch (ConfigException e) {
      throw new BadInputException("bad configuration: " + oneLine(e.getMessage()), e);
    }
  }

  /**
   * A {@code -D key=value} override, read as HOCON so that numbers and lists keep their
   * types ({@code -D subspace.ranks=[5,10]}); a value HOCON cannot read is taken as a string.
   */
  private static Config parseOverride(String key, String value) {
    ConfigParseOptions options = ConfigParseOptions.defaults().setOriginDescription("-D " + key);
    try {
      return ConfigFactory.parseString(key + " = " + value, options);
    } catch (ConfigException e) {
      return ConfigFactory.parseString(key + " = " + ConfigUtil.quoteString(value), options);
    }
  }

  private void rejectUnknownKeys(Config user) {
    Set<String> known = new TreeSet<>();
    collectLeafKeys(defaults.root(), "", known);
    for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
      String key = entry.getKey();
      if (!known.contains(key)) {
        String where = entry.getValue().origin().description();
        String suggestion = known.stream()
            .min(Comparator.comparingInt(k -> editDistance(k, key)))
            .filter(k -> editDistance(k, key) <= Math.max(2, key.length() / 4))
            .map(k -> " (did you mean '" + k + "'?)")
            .orElse("");
        throw new BadInputException(where + ": unknown key '" + key + "'" + suggestion);
      }
    }
  }

  /** Every leaf path of the defaults, null-valued ones included ({@code entrySet} skips those). */
  private static void collectLeafKeys(ConfigObject object, String prefix, Set<String> keys) {
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      String key = prefix + entry.getKey();
      if (entry.getValue() instanceof ConfigObject child) {
        collectLeafKeys(child, key + ".", keys);
      } else {
        keys.add(key);
      }
    }
  }

  private SweepSpec parse(Config c) {
    DataSource source = choice(c, "data.source", DataSource.class);
    SplitKind split = choice(c, "data.split", SplitKind.class);
    if (split == SplitKind.HELD_OUT && source != DataSource.GENERATED_TOY) {
      throw bad(c, "data.split", "held-out needs data.source = generated-toy; use reference or all for tables");
    }
    Path path = c.getIsNull("data.path") ? null : Path.of(c.getString("data.path"));
    if (source == DataSource.TABLE && path == null) {
      throw bad(c, "data.source", "table data needs data.path");
    }
    TableFormat format = new TableFormat(
        choice(c, "data.format.separator", TableFormat.Separator.class),
        atLeast(c, "data.format.header-lines", 0),
        c.getInt("data.format.target-column"),
        nonNegativeInts(c, "data.format.drop-columns", true));
    SweepSpec.DataSpec data = new SweepSpec.DataSpec(
        c.getString("data.name"), source, path, format,
        choice(c, "data.features", FeatureMap.class),
        c.getBoolean("data.standardize"), split,
        nonNegativeInts(c, "data.splits", false),
        new SweepSpec.GeneratedSpec(
            atLeast(c, "data.generated.train-points", 2),
            atLeast(c, "data.generated.test-points", 1),
            c.getLong("data.generated.seed")));

    SweepSpec.ModelSpec model = new SweepSpec.ModelSpec(
        positiveInts(c, "model.hidden", true),
        choice(c, "model.activation", MlpSpec.Activation.class),
        choice(c, "model.head", MlpSpec.Head.class));

    TrainingSettings training = training(c, model.head());
    SweepSpec.SubspaceSpec subspace = new SweepSpec.SubspaceSpec(
        choice(c, "subspace.kind", SweepSpec.SubspaceKind.class), positiveInts(c, "subspace.ranks", false));
    if (subspace.kind() == SweepSpec.SubspaceKind.PCA) {
      int deviations = Math.min(training.maxDeviations(), training.collectedModels());
      if (subspace.maxRank() > deviations) {
        throw bad(c, "subspace.ranks", String.format(
            "PCA rank %d is larger than the %d SWAG deviations (training.swag.max-deviations = %d, %d models collected)",
            subspace.maxRank(), deviations, training.maxDeviations(), training.collectedModels()));
      }
    }
    List<Double> temperatures = c.getDoubleList("inference.temperatures");
    if (temperatures.isEmpty()) {
      throw bad(c, "inference.temperatures", "needs at least one temperature");
    }
    for (double t : temperatures) {
      if (!(t > 0) || Double.isInfinite(t)) {
        throw bad(c, "inference.temperatures", "temperature " + t + " must be positive and finite");
      }
    }
    SweepSpec.InferenceSpec inference = new SweepSpec.InferenceSpec(
        choice(c, "inference.method", SweepSpec.Method.class),
        List.copyOf(temperatures),
        positive(c, "inference.noise-variance"),
        positive(c, "inference.prior-std"),
        atLeast(c, "inference.samples", 1),
        atLeast(c, "inference.burn-in", 0),
        atLeast(c, "inference.thin", 1));

    SweepSpec.GridSpec grid = new SweepSpec.GridSpec(
        c.getBoolean("evaluation.grid.enabled"), c.getDouble("evaluation.grid.from"),
        c.getDouble("evaluation.grid.to"), atLeast(c, "evaluation.grid.points", 2));
    if (!(grid.to() > grid.from())) {
      throw bad(c, "evaluation.grid.to", "must be larger than evaluation.grid.from");
    }
    SweepSpec.EvaluationSpec evaluation = new SweepSpec.EvaluationSpec(
        atLeast(c, "evaluation.draws", 0), grid, atLeast(c, "evaluation.plot-samples", 0));

    List<Long> seeds = c.getLongList("sweep.seeds");
    if (seeds.isEmpty()) {
      throw bad(c, "sweep.seeds", "needs at least one seed");
    }
    return new SweepSpec(c.getString("sweep.name"), List.copyOf(seeds), data, model, training, subspace, inference,
        evaluation);
  }

  private static TrainingSettings training(Config c, MlpSpec.Head head) {
    int epochs = atLeast(c, "training.epochs", 1);
    int swagStart = atLeast(c, "training.swag.start-epoch", 0);
    if (swagStart >= epochs) {
      throw bad(c, "training.swag.start-epoch", String.format(
          "SWAG start epoch %d leaves nothing to collect in %d epochs", swagStart, epochs));
    }
    double lr = positive(c, "training.lr");
    LearningRateSchedule.Kind kind = choice(c, "training.schedule", LearningRateSchedule.Kind.class);
    LearningRateSchedule schedule = kind == LearningRateSchedule.Kind.CONSTANT
        ? LearningRateSchedule.constant(lr)
        : new LearningRateSchedule(kind, lr, positive(c, "training.swa-lr"), Math.max(swagStart, 1));
    double momentum = c.getDouble("training.momentum");
    if (!(momentum >= 0 && momentum < 1)) {
      throw bad(c, "training.momentum", "must be in [0, 1), got " + momentum);
    }
    double weightDecay = c.getDouble("training.weight-decay");
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw bad(c, "training.weight-decay", "must be non-negative, got " + weightDecay);
    }
    return new TrainingSettings(epochs, atLeast(c, "training.batch-size", 1), schedule, momentum, weightDecay,
        swagStart, atLeast(c, "training.swag.max-deviations", 2),
        new GaussianLikelihood(head, positive(c, "training.loss-noise-variance")));
  }

  private static <E extends Enum<E>> E choice(Config c, String key, Class<E> type) {
    String value = c.getString(key);
    for (E option : type.getEnumConstants()) {
      if (label(option).equals(value)) {
        return option;
      }
    }
    List<String> options = new ArrayList<>();
    for (E option : type.getEnumConstants()) {
      options.add(label(option));
    }
    throw bad(c, key, "unknown value '" + value + "' (expected one of " + String.join(", ", options) + ")");
  }

  /** The configuration spelling of an enum constant: lower case, dashes for underscores. */
  public static String label(Enum<?> option) {
    return option.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static int atLeast(Config c, String key, int minimum) {
    int value = c.getInt(key);
    if (value < minimum) {
      throw bad(c, key, "must be at least " + minimum + ", got " + value);
    }
    return value;
  }

  private static double positive(Config c, String key) {
    double value = c.getDouble(key);
    if (!(value > 0) || Double.isInfinite(value)) {
      throw bad(c, key, "must be positive and finite, got " + value);
    }
    return value;
  }

  private static List<Integer> positiveInts(Config c, String key, boolean mayBeEmpty) {
    return ints(c, key, mayBeEmpty, v -> v >= 1, "positive");
  }

  private static List<Integer> nonNegativeInts(Config c, String key, boolean mayBeEmpty) {
    return ints(c, key, mayBeEmpty, v -> v >= 0, "non-negative");
  }

  private static List<Integer> ints(
      Config c, String key, boolean mayBeEmpty, Function<Integer, Boolean> valid, String what) {
    List<Integer> values = c.getIntList(key);
    if (values.isEmpty() && !mayBeEmpty) {
      throw bad(c, key, "needs at least one value");
    }
    for (int v : values) {
      if (!valid.apply(v)) {
        throw bad(c, key, "values must be " + what + ", got " + v);
      }
    }
    return List.copyOf(values);
  }

  private static BadInputException bad(Config c, String key, String message) {
    String where = c.hasPath(key) ? c.getValue(key).origin().description() + ": " : "";
    return new BadInputException(where + key + ": " + message);
  }

  private static String oneLine(String message) {
    return message.replaceAll("\\s*\\R\\s*", " ");
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
