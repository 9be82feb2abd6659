package org.subspace.orchestrator.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.subspace.orchestrator.config.SweepSpec.Experiment;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.spec.CurveSpec;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.spec.EvaluationSpec;
import org.subspace.protocol.spec.InferenceSpec;
import org.subspace.protocol.spec.ModelSpec;
import org.subspace.protocol.spec.TrainingSpec;
import org.subspace.protocol.stage.CheckpointPolicy;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.Architecture;
import org.subspace.protocol.vocabulary.DataSource;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.protocol.vocabulary.ImageFormat;
import org.subspace.protocol.vocabulary.Method;
import org.subspace.protocol.vocabulary.RandomScale;
import org.subspace.protocol.vocabulary.Schedule;
import org.subspace.protocol.vocabulary.Separator;
import org.subspace.protocol.vocabulary.Spelling;
import org.subspace.protocol.vocabulary.SplitKind;
import org.subspace.protocol.vocabulary.SubspaceKind;
import org.subspace.workers.actors.FaultInjector;
import org.subspace.workers.data.DataFiles;
import org.subspace.workers.data.Datasets;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.data.Table;
import org.subspace.workers.data.TableLoader;
import org.subspace.workers.data.ToyRegression;
import org.subspace.workers.vision.ImageDatasets;

/**
 * Reads a sweep file (HOCON) over the defaults in {@code sweep-defaults.conf}, applies
 * overrides ({@code -D key=value}), and validates everything, data files included, before
 * any work starts. Every problem becomes a {@link BadInputException} whose one-line message
 * names the key (or file and line).
 */
public final class SweepConfigLoader {
  private static final String DEFAULTS_RESOURCE = "/sweep-defaults.conf";
  /** Sections a {@code datasets} element may hold. */
  private static final List<String> EXPERIMENT_SECTIONS =
      List.of("data", "model", "training", "subspace", "inference", "evaluation");
  private static final String CATALOG = "dataset-catalog";
  private static final Pattern PER_TRAINING_ROW = Pattern.compile("n/([0-9.eE+-]+)");

  private final Config defaults = ConfigFactory.parseResources(
      SweepConfigLoader.class, DEFAULTS_RESOURCE, ConfigParseOptions.defaults().setAllowMissing(false));
  /** A validated sweep and the resolved configuration it was read from, as its run records it. */
  public record Loaded(SweepSpec spec, ResolvedConfig config) {}

  /** The sweep and its resolved configuration, from one reading of the file. */
  public Loaded read(Path file, Map<String, String> overrides) {
    Config top = resolve(file, overrides);
    return new Loaded(validate(top), ResolvedConfig.of(top));
  }

  public SweepSpec load(Path file, Map<String, String> overrides) {
    return validate(resolve(file, overrides));
  }

  /** The sweep file and its overrides over the defaults, with every substitution resolved; not yet validated. */
  private Config resolve(Path file, Map<String, String> overrides) {
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
    return user.withFallback(defaults).resolve();
  }

  private SweepSpec validate(Config top) {
    Set<String> known = new TreeSet<>();
    collectLeafKeys(defaults.root(), "", known);
    Set<String> sectionKeys = new TreeSet<>();
    known.stream().filter(k -> EXPERIMENT_SECTIONS.contains(k.split("\\.")[0])).forEach(sectionKeys::add);
    // Every key of the defaults is known, so only the sweep's own keys can be rejected here.
    rejectUnknownKeys(top.withoutPath(CATALOG), known, "");
    try {
      ConfigObject catalog = top.getObject(CATALOG);
      for (String name : catalog.keySet()) {
        if (!(catalog.get(name) instanceof ConfigObject entry)) {
          throw bad(top, CATALOG + "." + name, "a catalog entry must be an object of sections");
        }
        rejectUnknownKeys(entry.toConfig(), sectionKeys, CATALOG + "." + name + ".");
      }
      List<Experiment> experiments = new ArrayList<>();
      List<ConfigValue> elements = top.getList("datasets");
      if (elements.isEmpty()) {
        experiments.add(experiment(top));
      }
      for (int i = 0; i < elements.size(); i++) {
        ConfigValue element = elements.get(i);
        Config sections;
        if (element.valueType() == ConfigValueType.STRING) {
          String name = (String) element.unwrapped();
          if (!catalog.containsKey(name)) {
            throw new BadInputException(element.origin().description() + ": datasets[" + i + "]: '" + name
                + "' is not in dataset-catalog (known: " + String.join(", ", catalog.keySet()) + ")");
          }
          sections = ((ConfigObject) catalog.get(name)).toConfig();
        } else if (element.valueType() == ConfigValueType.OBJECT) {
          sections = ((ConfigObject) element).toConfig();
          rejectUnknownKeys(sections, sectionKeys, "datasets[" + i + "].");
        } else {
          throw new BadInputException(element.origin().description() + ": datasets[" + i
              + "]: expected a dataset-catalog name or an object of sections");
        }
        experiments.add(experiment(sections.withFallback(top)));
      }
      List<String> names = experiments.stream().map(e -> e.data().name()).toList();
      if (names.stream().distinct().count() != names.size()) {
        throw bad(top, "datasets", "dataset names must differ: " + names);
      }
      return new SweepSpec(safeName(top, "sweep.name"), List.copyOf(experiments), runtime(top));
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

  private static void rejectUnknownKeys(Config user, Set<String> known, String prefix) {
    for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
      String key = entry.getKey();
      if (!known.contains(key)) {
        String suggestion = known.stream()
            .min(Comparator.comparingInt(k -> editDistance(k, key)))
            .filter(k -> editDistance(k, key) <= Math.max(2, key.length() / 4))
            .map(k -> " (did you mean '" + prefix + k + "'?)")
            .orElse("");
        throw new BadInputException(
            entry.getValue().origin().description() + ": unknown key '" + prefix + key + "'" + suggestion);
      }
    }
  }

  private Experiment experiment(Config c) {
    Architecture architecture = choice(c, "model.architecture", Architecture.class);
    ModelSpec model = new ModelSpec(architecture, positiveInts(c, "model.hidden", true),
        choice(c, "model.activation", Activation.class), choice(c, "model.head", Head.class));
    TrainingSpec training = training(c);
    DataSpec data = data(c);
    boolean images = data.source() == DataSource.IMAGES;
    if (images != model.classifier()) {
      throw bad(c, "model.architecture", images
          ? "image data needs a classifier (cnn-small, vgg16, preresnet164, wrn28x10), not mlp"
          : architecture.label() + " classifies images: it needs data.source = images");
    }
    List<SubspaceKind> kinds = choices(c, "subspace.kinds", SubspaceKind.class);
    List<Integer> ranks = positiveInts(c, "subspace.ranks", false);
    int maxRank = ranks.stream().mapToInt(Integer::intValue).max().orElseThrow();
    int deviations = Math.min(training.maxDeviations(), training.collectedModels());
    RandomScale randomScale = choice(c, "subspace.random.scale", RandomScale.class);
    boolean pcaNeeded = kinds.contains(SubspaceKind.PCA)
        || kinds.contains(SubspaceKind.RANDOM) && randomScale == RandomScale.PCA;
    if (pcaNeeded && maxRank > deviations) {
      throw bad(c, "subspace.ranks", String.format(
          "PCA rank %d is larger than the %d SWAG deviations (training.swag.max-deviations = %d, %d models collected)",
          maxRank, deviations, training.maxDeviations(), training.collectedModels()));
    }
    CurveSpec curve = curve(c, training);
    if (model.classifier() && kinds.contains(SubspaceKind.CURVE)) {
      throw bad(c, "subspace.kinds", "curve subspaces are fitted for MLPs; classifiers use pca or random");
    }
    List<Method> methods = choices(c, "inference.methods", Method.class);
    Integer viBatch = c.getIsNull("inference.vi.batch-size") ? null : atLeast(c, "inference.vi.batch-size", 1);
    InferenceSpec inference = new InferenceSpec(positive(c, "inference.noise-variance"),
        positive(c, "inference.prior-std"), atLeast(c, "inference.samples", 1), atLeast(c, "inference.burn-in", 0),
        atLeast(c, "inference.thin", 1),
        new InferenceSpec.Variational(atLeast(c, "inference.vi.epochs", 1),
            viBatch == null ? training.batchSize() : viBatch, positive(c, "inference.vi.lr"),
            c.getDouble("inference.vi.init-rho"), positive(c, "inference.vi.prior-std")),
        positive(c, "inference.swag-scale"), hamiltonian(c));
    EvaluationSpec.GridSpec grid = new EvaluationSpec.GridSpec(c.getBoolean("evaluation.grid.enabled"),
        c.getDouble("evaluation.grid.from"), c.getDouble("evaluation.grid.to"),
        atLeast(c, "evaluation.grid.points", 2));
    if (!(grid.to() > grid.from())) {
      throw bad(c, "evaluation.grid.to", "must be larger than evaluation.grid.from");
    }
    EvaluationSpec evaluation = new EvaluationSpec(atLeast(c, "evaluation.draws", 0), grid,
        atLeast(c, "evaluation.plot-samples", 0));
    List<Long> seeds = c.getLongList("sweep.seeds");
    if (seeds.isEmpty()) {
      throw bad(c, "sweep.seeds", "needs at least one seed");
    }
    List<String> splits = Datasets.splitLabels(data, nonNegativeInts(c, "data.splits", false));
    int trainRows = checkData(data, training, grid);
    List<Double> common = temperatures(c, "inference.temperatures", trainRows);
    List<Double> variational = c.getIsNull("inference.vi.temperatures") ? common
        : temperatures(c, "inference.vi.temperatures", trainRows);
    List<Double> hamiltonian = c.getIsNull("inference.hamiltonian.temperatures") ? common
        : temperatures(c, "inference.hamiltonian.temperatures", trainRows);
    Map<Method, List<Double>> temperatures = new EnumMap<>(Method.class);
    for (Method method : Method.values()) {
      if (method.inSubspace()) {
        temperatures.put(method, switch (method.family()) {
          case CHAIN -> common;
          case VARIATIONAL -> variational;
          case HAMILTONIAN -> hamiltonian;
          case BASELINE -> throw new AssertionError("baselines have no temperature");
        });
      }
    }
    return new Experiment(data, splits, List.copyOf(seeds), model, training, kinds, ranks, randomScale, curve,
        methods, Map.copyOf(temperatures), inference, evaluation);
  }

  /** Curve fitting: SGD settings that default to the training's (null in the defaults). */
  private static CurveSpec curve(Config c, TrainingSpec training) {
    double momentum = c.getIsNull("subspace.curve.momentum") ? training.momentum()
        : c.getDouble("subspace.curve.momentum");
    if (!(momentum >= 0 && momentum < 1)) {
      throw bad(c, "subspace.curve.momentum", "must be in [0, 1), got " + momentum);
    }
    double weightDecay = c.getIsNull("subspace.curve.weight-decay") ? training.weightDecay()
        : c.getDouble("subspace.curve.weight-decay");
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw bad(c, "subspace.curve.weight-decay", "must be non-negative, got " + weightDecay);
    }
    return new CurveSpec(
        c.getIsNull("subspace.curve.epochs") ? training.epochs() : atLeast(c, "subspace.curve.epochs", 1),
        c.getIsNull("subspace.curve.batch-size") ? training.batchSize() : atLeast(c, "subspace.curve.batch-size", 1),
        c.getIsNull("subspace.curve.lr") ? training.lr() : positive(c, "subspace.curve.lr"), momentum, weightDecay);
  }

  private static InferenceSpec.Hamiltonian hamiltonian(Config c) {
    double target = c.getDouble("inference.hamiltonian.target-acceptance");
    if (!(target > 0 && target < 1)) {
      throw bad(c, "inference.hamiltonian.target-acceptance", "must be in (0, 1), got " + target);
    }
    int depth = atLeast(c, "inference.hamiltonian.max-tree-depth", 1);
    if (depth > 20) {
      throw bad(c, "inference.hamiltonian.max-tree-depth", "at most 20 (2^20 leapfrog steps per iteration), got "
          + depth);
    }
    return new InferenceSpec.Hamiltonian(atLeast(c, "inference.hamiltonian.warmup", 0), target,
        atLeast(c, "inference.hamiltonian.leapfrog-steps", 1), depth);
  }

  private DataSpec data(Config c) {
    DataSource source = choice(c, "data.source", DataSource.class);
    SplitKind split = choice(c, "data.split", SplitKind.class);
    boolean table = source == DataSource.TABLE;
    if (split == SplitKind.HELD_OUT && table) {
      throw bad(c, "data.split", "held-out needs data.source = generated-toy; use reference or all for tables");
    }
    String path = c.getIsNull("data.path") ? null : c.getString("data.path");
    boolean images = source == DataSource.IMAGES;
    if ((table || images) && path == null) {
      throw bad(c, "data.source", source.label() + " data needs data.path");
    }
    DataSpec.Images imageSpec = null;
    if (images) {
      if (split != SplitKind.HELD_OUT) {
        throw bad(c, "data.split", "image data has its own test images: use held-out");
      }
      if (c.getIsNull("data.images.format")) {
        throw bad(c, "data.images.format", "image data needs a format (optdigits, idx, cifar10, cifar100)");
      }
      imageSpec = new DataSpec.Images(choice(c, "data.images.format", ImageFormat.class),
          atLeast(c, "data.images.train-count", 1), c.getBoolean("data.images.augment"));
    }
    String sha256 = DataFiles.contentSha256(source, path == null ? null : Path.of(path),
        imageSpec == null ? null : imageSpec.format());
    return new DataSpec(safeName(c, "data.name"), source, path, sha256,
        choice(c, "data.format.separator", Separator.class), atLeast(c, "data.format.header-lines", 0),
        c.getInt("data.format.target-column"), nonNegativeInts(c, "data.format.drop-columns", true),
        choice(c, "data.features", FeatureMap.class), c.getBoolean("data.standardize"), split,
        atLeast(c, "data.generated.train-points", 2), atLeast(c, "data.generated.test-points", 1),
        c.getLong("data.generated.seed"), imageSpec);
  }

  /**
   * Temperatures: positive numbers, or "n/K" for the number of training rows divided by K (the
   * paper's N_train / 20), resolved here so that stage keys hold the actual value.
   */
  private static List<Double> temperatures(Config c, String key, int trainRows) {
    List<Double> values = new ArrayList<>();
    for (ConfigValue v : c.getList(key)) {
      double t;
      if (v.valueType() == ConfigValueType.NUMBER) {
        t = ((Number) v.unwrapped()).doubleValue();
      } else {
        Matcher m = PER_TRAINING_ROW.matcher(String.valueOf(v.unwrapped()).replace(" ", ""));
        if (v.valueType() != ConfigValueType.STRING || !m.matches()) {
          throw bad(c, key, "expected numbers or \"n/K\" (training rows / K), got " + v.render());
        }
        t = trainRows / Double.parseDouble(m.group(1));
      }
      if (!(t > 0) || Double.isInfinite(t)) {
        throw bad(c, key, "temperature " + t + " must be positive and finite");
      }
      values.add(t);
    }
    if (values.isEmpty()) {
      throw bad(c, key, "needs at least one temperature");
    }
    return List.copyOf(values);
  }

  /**
   * Reads the data as far as validating it needs, without splitting or transforming it: a
   * malformed file, a feature map or grid on too many columns, or a batch larger than the
   * training rows fails here. Returns the number of training rows (for "n/K" temperatures).
   */
  private static int checkData(DataSpec data, TrainingSpec training, EvaluationSpec.GridSpec grid) {
    String source = data.path() == null ? "data.source = " + data.source().label() : data.path();
    if (data.images() != null) {
      int trainImages = ImageDatasets.read(data).train().count();
      if (training.batchSize() > trainImages) {
        throw new BadInputException(String.format("%s: training.batch-size %d is larger than the %d training images",
            source, training.batchSize(), trainImages));
      }
      return trainImages;
    }
    int rows;
    int columns;
    if (data.source() == DataSource.GENERATED_TOY) {
      rows = data.generatedTrainPoints();
      columns = ToyRegression.INPUT_COLUMNS;
    } else {
      Table table = TableLoader.load(Path.of(data.path()), Datasets.format(data));
      rows = table.rows();
      columns = table.columns();
    }
    boolean quadratic = data.features() == FeatureMap.TOY_QUADRATIC;
    if ((quadratic || grid.enabled()) && columns != 1) {
      throw new BadInputException(source + ": " + (quadratic ? "data.features = toy-quadratic" : "evaluation.grid")
          + " needs exactly one input column, found " + columns);
    }
    int trainRows = data.split() == SplitKind.REFERENCE ? RegressionData.referenceTrainCount(rows) : rows;
    if (training.batchSize() > trainRows) {
      throw new BadInputException(String.format("%s: training.batch-size %d is larger than the %d training rows",
          source, training.batchSize(), trainRows));
    }
    return trainRows;
  }

  private static TrainingSpec training(Config c) {
    int epochs = atLeast(c, "training.epochs", 1);
    int swagStart = atLeast(c, "training.swag.start-epoch", 0);
    if (swagStart >= epochs) {
      throw bad(c, "training.swag.start-epoch", String.format(
          "SWAG start epoch %d leaves nothing to collect in %d epochs", swagStart, epochs));
    }
    double momentum = c.getDouble("training.momentum");
    if (!(momentum >= 0 && momentum < 1)) {
      throw bad(c, "training.momentum", "must be in [0, 1), got " + momentum);
    }
    double weightDecay = c.getDouble("training.weight-decay");
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw bad(c, "training.weight-decay", "must be non-negative, got " + weightDecay);
    }
    return new TrainingSpec(epochs, atLeast(c, "training.batch-size", 1), positive(c, "training.lr"),
        choice(c, "training.schedule", Schedule.class), positive(c, "training.swa-lr"), momentum,
        weightDecay, positive(c, "training.loss-noise-variance"), swagStart,
        atLeast(c, "training.swag.max-deviations", 2));
  }

  private static SweepSpec.RuntimeSpec runtime(Config c) {
    Set<StageKind> gpuStages = EnumSet.noneOf(StageKind.class);
    gpuStages.addAll(choices(c, "orchestrator.gpu-stages", StageKind.class));
    List<Integer> gpus = nonNegativeInts(c, "orchestrator.gpus", true);
    if (!gpuStages.isEmpty() && gpus.isEmpty()) {
      throw bad(c, "orchestrator.gpu-stages", "stages need a GPU but orchestrator.gpus is empty");
    }
    return new SweepSpec.RuntimeSpec(atLeast(c, "orchestrator.workers", 1),
        atLeast(c, "orchestrator.slots-per-worker", 1), gpus, gpuStages, atLeast(c, "orchestrator.max-attempts", 1),
        c.getDuration("orchestrator.retry-backoff"),
        new CheckpointPolicy(atLeast(c, "orchestrator.checkpoint.train-epochs", 1),
            atLeast(c, "orchestrator.checkpoint.sample-iterations", 1), atLeast(c, "orchestrator.checkpoint.keep", 1)),
        new SweepSpec.LeaseSpec(positiveDuration(c, "orchestrator.lease.ack-timeout"),
            positiveDuration(c, "orchestrator.lease.timeout"), positiveDuration(c, "orchestrator.lease.hang-timeout")),
        faults(c),
        new SweepSpec.MetricsSpec(c.getBoolean("orchestrator.metrics.enabled"), c.getString("orchestrator.metrics.host"),
            portNumber(c, "orchestrator.metrics.port")));
  }

  private static FaultInjector faults(Config c) {
    double rate = c.getDouble("orchestrator.fault-injection.rate");
    if (!(rate >= 0 && rate < 1)) {
      throw bad(c, "orchestrator.fault-injection.rate", "must be in [0, 1), got " + rate);
    }
    return new FaultInjector(rate, c.getLong("orchestrator.fault-injection.seed"),
        stageSelectors(c, "orchestrator.fault-injection.drop-run-stage"),
        stageSelectors(c, "orchestrator.fault-injection.drop-succeeded"),
        stageSelectors(c, "orchestrator.fault-injection.kill-worker"),
        stageSelectors(c, "orchestrator.fault-injection.hang"));
  }

  /**
   * The fault injection of a worker node in its own JVM ({@code subspace worker --fault-injection}):
   * HOCON with the keys of {@code orchestrator.fault-injection}, over their defaults.
   */
  public FaultInjector workerFaults(String hocon) {
    try {
      Config own = ConfigFactory.parseString(hocon,
          ConfigParseOptions.defaults().setOriginDescription("--fault-injection"));
      Config known = defaults.getConfig("orchestrator.fault-injection");
      for (String key : own.root().keySet()) {
        if (!known.hasPath(ConfigUtil.joinPath(key))) {
          throw new BadInputException("--fault-injection: unknown key '" + key + "' (expected one of "
              + String.join(", ", new TreeSet<>(known.root().keySet())) + ")");
        }
      }
      return faults(own.atPath("orchestrator.fault-injection").withFallback(defaults).resolve());
    } catch (ConfigException e) {
      throw new BadInputException("--fault-injection: " + oneLine(e.getMessage()));
    }
  }

  private static List<String> stageSelectors(Config c, String key) {
    List<String> selectors = c.getStringList(key);
    for (String selector : selectors) {
      if (!FaultInjector.validSelector(selector)) {
        throw bad(c, key, "'" + selector + "' names no stage (a stage kind, " + Spelling.choices(StageKind.class)
            + ", or at least " + FaultInjector.MIN_KEY_PREFIX + " hex digits of a stage key)");
      }
    }
    return List.copyOf(selectors);
  }

  private static Duration positiveDuration(Config c, String key) {
    Duration value = c.getDuration(key);
    if (value.isNegative() || value.isZero()) {
      throw bad(c, key, "must be positive, got " + c.getValue(key).render());
    }
    return value;
  }

  /** The vocabulary constant a key spells. */
  private static <E extends Enum<E>> E choice(Config c, String key, Class<E> type) {
    return parse(c, key, c.getString(key), type);
  }

  /** A list of vocabulary constants; only orchestrator keys may be empty. */
  private static <E extends Enum<E>> List<E> choices(Config c, String key, Class<E> type) {
    List<E> values = c.getStringList(key).stream().map(v -> parse(c, key, v, type)).toList();
    if (values.isEmpty() && !key.startsWith("orchestrator.")) {
      throw bad(c, key, "needs at least one value");
    }
    return values;
  }

  private static <E extends Enum<E>> E parse(Config c, String key, String value, Class<E> type) {
    try {
      return Spelling.parse(type, value);
    } catch (IllegalArgumentException e) {
      throw bad(c, key, e.getMessage());
    }
  }

  private static int portNumber(Config c, String key) {
    int port = c.getInt(key);
    if (port < 0 || port > 65535) {
      throw bad(c, key, "a port is in [0, 65535], got " + port);
    }
    return port;
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

  private static List<Integer> ints(Config c, String key, boolean mayBeEmpty, IntPredicate valid, String what) {
    List<Integer> values = c.getIntList(key);
    if (values.isEmpty() && !mayBeEmpty) {
      throw bad(c, key, "needs at least one value");
    }
    for (int v : values) {
      if (!valid.test(v)) {
        throw bad(c, key, "values must be " + what + ", got " + v);
      }
    }
    return List.copyOf(values);
  }

  /** Letters, digits, '.', '_' and '-', starting with a letter or digit: names that become file names. */
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** A name that ends up in file names (samples/LABEL.npz, plots): no '/', '..', spaces or control characters. */
  private static String safeName(Config c, String key) {
    String name = c.getString(key);
    if (!SAFE_NAME.matcher(name).matches()) {
      throw bad(c, key, "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit "
          + "(it names files), got \"" + name + "\"");
    }
    return name;
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
