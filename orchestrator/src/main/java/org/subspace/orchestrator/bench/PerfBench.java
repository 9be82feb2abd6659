package org.subspace.orchestrator.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.orchestrator.runtime.EventLog;
import org.subspace.orchestrator.runtime.LocalSweep;
import org.subspace.protocol.RegressionScores;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.data.Table;
import org.subspace.workers.data.TableFormat;
import org.subspace.workers.data.TableLoader;
import org.subspace.workers.data.ToyRegression;
import org.subspace.workers.eval.RegressionEvaluation;
import org.subspace.workers.inference.EllipticalSliceSampler;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.Mlp;
import org.subspace.workers.model.MlpSpec;
import org.subspace.workers.model.SubspaceNetwork;
import org.subspace.workers.random.Rng;
import org.subspace.workers.store.AtomicFiles;
import org.subspace.workers.subspace.Subspace;
import org.subspace.workers.subspace.Subspaces;
import org.subspace.workers.train.LearningRateSchedule;
import org.subspace.workers.train.SgdTrainer;
import org.subspace.workers.train.TrainingSettings;
import org.subspace.workers.train.TrainingState;

/**
 * The performance suite behind {@code subspace bench perf}: each figure is the median and
 * range over repeats, taken in this JVM with the configured intra-op threads, next to the
 * reference implementation's figures (REFERENCE.md) and the targets where there are some.
 */
public final class PerfBench {
  /** REFERENCE.md: the reference implementation on this machine kind, 1 thread. */
  private static final double REFERENCE_TOY_ESS_SECONDS = 16.5;
  private static final double REFERENCE_BOSTON_TRAIN_PLUS_ESS_SECONDS = 4.03 + 1.67;
  private static final double REFERENCE_BOSTON_PROCESS_SECONDS = 10.4;

  /** One line of the report. */
  public record Row(String section, String metric, String unit, Stats stats, String target) {}

  private final boolean quick;
  private final PrintWriter log;
  private final Path work;
  private final List<Row> rows = new ArrayList<>();

  public PerfBench(boolean quick, Path work, PrintWriter log) {
    this.quick = quick;
    this.work = work;
    this.log = log;
  }

  public List<Row> run() throws Exception {
    // Memory first, so that what the larger cases allocate does not blur its baseline.
    memory();
    double peak = matmulPeak();
    likelihoodCases(peak);
    toy();
    boston();
    orchestration();
    return rows;
  }

  private void add(String section, String metric, String unit, Stats stats, String target) {
    Row row = new Row(section, metric, unit, stats, target);
    rows.add(row);
    log.printf(Locale.ROOT, "%-14s %-58s %12.4g %-10s [%.4g, %.4g] x%d %s%n", section, metric, stats.median(), unit,
        stats.min(), stats.max(), stats.repeats(), target);
    log.flush();
  }

  /** Seconds per call of {@code body}, one value per repeat, after warm-up. */
  private static double[] time(int warmup, int repeats, int callsPerRepeat, Runnable body) {
    for (int i = 0; i < warmup; i++) {
      body.run();
    }
    double[] seconds = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long start = System.nanoTime();
      for (int i = 0; i < callsPerRepeat; i++) {
        body.run();
      }
      seconds[r] = (System.nanoTime() - start) / 1e9 / callsPerRepeat;
    }
    return seconds;
  }

  private double matmulPeak() {
    int n = 2048;
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray a = manager.randomNormal(new Shape(n, n));
      NDArray b = manager.randomNormal(new Shape(n, n));
      Stats seconds = Stats.of(time(2, quick ? 5 : 10, 1, () -> {
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          a.matMul(b).getFloat(0, 0);
        }
      }));
      Stats gflops = seconds.map(s -> 2.0 * n * n * n / s / 1e9);
      add("matmul", "2048x2048 float32 matMul", "GFLOP/s", gflops, "the ceiling");
      return gflops.median();
    }
  }

  private void likelihoodCases(double peak) {
    Rng rng = new Rng(1);
    RegressionData toy = toyData();
    RegressionData boston = bostonData();
    likelihood("toy 2-200-50-50-50-1, 400 rows, rank 10", toySpec(), toy.trainX(), toy.trainY(), 10,
        new GaussianLikelihood(Head.MEAN, 0.05), peak, 300);
    likelihood("boston 13-50-2, 455 rows, rank 20", bostonSpec(), boston.trainX(), boston.trainY(), 20,
        new GaussianLikelihood(Head.HETEROSCEDASTIC, 1), peak, 1000);
    int n = 10_000;
    float[] x = new float[n * 13];
    float[] y = new float[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      y[i] = (float) rng.nextGaussian();
    }
    MlpSpec big = new MlpSpec(13, List.of(1000, 1000), Activation.RELU, Head.MEAN);
    double fraction = likelihood("13-1000-1000-1 (1,016,001 weights), 10,000 rows, rank 10", big, x, y, 10,
        new GaussianLikelihood(Head.MEAN, 1), peak, 1);
    rows.set(rows.size() - 1, withTarget(rows.get(rows.size() - 1),
        String.format(Locale.ROOT, "%.0f%% of peak (target >= 60%%)", 100 * fraction)));
    // The fixed cost of one evaluation, where compute is negligible: one row of the toy.
    likelihood("toy net, 1 row (the per-call overhead)", toySpec(), new float[] {0.1f, 0.01f}, new float[] {0.5f},
        10, new GaussianLikelihood(Head.MEAN, 0.05), peak, 2000);
  }

  private static Row withTarget(Row row, String target) {
    return new Row(row.section(), row.metric(), row.unit(), row.stats(), target);
  }

  /** Times the likelihood at w = mean + P^T z; returns the median fraction of the matmul peak. */
  private double likelihood(String name, MlpSpec spec, float[] x, float[] y, int rank, GaussianLikelihood lik,
      double peak, int callsPerRepeat) {
    Rng rng = new Rng(2);
    Subspace subspace = Subspaces.random(spec.initialWeights(rng), rank, 3);
    double[] z = new double[rank];
    for (int i = 0; i < rank; i++) {
      z[i] = 0.1 * rng.nextGaussian();
    }
    long n = y.length;
    double flops = 2.0 * rank * spec.parameterCount();
    for (MlpSpec.Layer layer : spec.layers()) {
      flops += 2.0 * n * layer.in() * layer.out();
    }
    double evalFlops = flops;
    try (SubspaceNetwork network = new SubspaceNetwork(new Mlp(spec), lik, subspace, x, y)) {
      Stats seconds = Stats.of(time(Math.min(callsPerRepeat, 50), quick ? 5 : 9, callsPerRepeat,
          () -> network.logLikelihood(z)));
      add("likelihood", name, "ms/eval", seconds.map(s -> s * 1e3), "");
      Stats gflops = seconds.map(s -> evalFlops / s / 1e9);
      add("likelihood", name, "GFLOP/s", gflops, String.format(Locale.ROOT, "%.1f%% of peak",
          100 * gflops.median() / peak));
      return gflops.median() / peak;
    }
  }

  private static MlpSpec toySpec() {
    return new MlpSpec(2, List.of(200, 50, 50, 50), Activation.RELU, Head.MEAN);
  }

  private static MlpSpec bostonSpec() {
    return new MlpSpec(13, List.of(50), Activation.RELU, Head.HETEROSCEDASTIC);
  }

  private static RegressionData toyData() {
    return RegressionData.heldOut(ToyRegression.generate(400, 0), ToyRegression.generate(200, 1),
        FeatureMap.TOY_QUADRATIC, false);
  }

  private static RegressionData bostonData() {
    Table table = TableLoader.load(Path.of("../shared/data/uci/boston/data.txt"), TableFormat.uci());
    return RegressionData.referenceSplit(table, 1, FeatureMap.RAW, true);
  }

  /** The toy: training speed, then ESS (1000 samples, T 1.5, prior std 5) in the rank-10 PCA subspace. */
  private void toy() {
    int epochs = quick ? 300 : 3000;
    TrainingSettings settings = new TrainingSettings(epochs, 50, LearningRateSchedule.constant(0.01), 0.95, 0,
        epochs * 2 / 3, 10, new GaussianLikelihood(Head.MEAN, 1.0));
    RegressionData data = toyData();
    Mlp mlp = new Mlp(toySpec());
    List<Double> seconds = new ArrayList<>();
    TrainingState trained = null;
    for (int r = 0; r < (quick ? 2 : 1); r++) {
      long start = System.nanoTime();
      trained = new SgdTrainer(mlp, data, settings, 1).run(TrainingState.initial(mlp.spec(), settings, 1), null);
      seconds.add((System.nanoTime() - start) / 1e9);
    }
    add("training", "toy: " + epochs + " epochs x 8 batches of 50", "epochs/s",
        Stats.of(seconds).map(s -> epochs / s), "");
    Subspace pca = Subspaces.pca(trained.swag().meanAsFloats(), trained.swag().deviations(), 10);
    try (SubspaceNetwork network = new SubspaceNetwork(mlp, new GaussianLikelihood(Head.MEAN, 0.05), pca,
        data.trainX(), data.trainY())) {
      EllipticalSliceSampler ess = new EllipticalSliceSampler(new EllipticalSliceSampler.Settings(1000, 0, 1, 5, 1.5));
      List<Double> essSeconds = new ArrayList<>();
      List<Double> perSample = new ArrayList<>();
      for (int r = 0; r < (quick ? 2 : 3); r++) {
        long start = System.nanoTime();
        EllipticalSliceSampler.Chain chain = ess.run(ess.start(new double[10], 10 + r, network::logLikelihood),
            network::logLikelihood, null);
        essSeconds.add((System.nanoTime() - start) / 1e9);
        perSample.add(chain.state().likelihoodEvaluations() / 1000.0);
      }
      Stats essStats = Stats.of(essSeconds);
      add("ess", "toy: 1000 samples, rank-10 PCA subspace", "s", essStats, String.format(Locale.ROOT,
          "%.1fx faster than the reference's %.1f s (target >= 10x)", REFERENCE_TOY_ESS_SECONDS / essStats.median(),
          REFERENCE_TOY_ESS_SECONDS));
      add("ess", "toy: samples per second", "samples/s", essStats.map(s -> 1000 / s), "");
      add("ess", "toy: likelihood evaluations per sample", "evals", Stats.of(perSample), "reference: 3.1");
    }
  }

  /** Boston with the paper's settings: training speed, ESS, and one split end to end. */
  private void boston() throws Exception {
    RegressionData data = bostonData();
    GaussianLikelihood nll = new GaussianLikelihood(Head.HETEROSCEDASTIC, 1.0);
    TrainingSettings settings =
        new TrainingSettings(300, 30, LearningRateSchedule.constant(1e-3), 0.9, 0.1, 200, 20, nll);
    Mlp mlp = new Mlp(bostonSpec());
    List<Double> trainSeconds = new ArrayList<>();
    List<Double> endToEnd = new ArrayList<>();
    List<Double> essSeconds = new ArrayList<>();
    List<Double> perSample = new ArrayList<>();
    for (int r = 0; r < (quick ? 3 : 5); r++) {
      long start = System.nanoTime();
      TrainingState trained = new SgdTrainer(mlp, data, settings, 1 + r)
          .run(TrainingState.initial(mlp.spec(), settings, 1 + r), null);
      trainSeconds.add((System.nanoTime() - start) / 1e9);
      Subspace pca = Subspaces.pca(trained.swag().meanAsFloats(), trained.swag().deviations(), 20);
      try (SubspaceNetwork network = new SubspaceNetwork(mlp, nll, pca, data.trainX(), data.trainY())) {
        EllipticalSliceSampler ess =
            new EllipticalSliceSampler(new EllipticalSliceSampler.Settings(30, 0, 1, Math.sqrt(Math.E), 0.1));
        long essStart = System.nanoTime();
        EllipticalSliceSampler.Chain chain =
            ess.run(ess.start(new double[20], 7, network::logLikelihood), network::logLikelihood, null);
        essSeconds.add((System.nanoTime() - essStart) / 1e9);
        perSample.add(chain.state().likelihoodEvaluations() / 30.0);
        float[][][] predictions = network.predict(chain.samples().toArray(new double[0][]), data.evalX());
        RegressionScores scores = RegressionEvaluation.score(predictions[0], predictions[1], data.evalY(), data.yStd());
        if (!Double.isFinite(scores.testLogLikelihood())) {
          throw new IllegalStateException("boston evaluation is not finite");
        }
      }
      endToEnd.add((System.nanoTime() - start) / 1e9);
    }
    add("training", "boston: 300 epochs x 16 batches of 30", "epochs/s", Stats.of(trainSeconds).map(s -> 300 / s),
        "reference: 74 epochs/s (4.03 s)");
    add("ess", "boston: 30 samples, rank-20 PCA subspace", "s", Stats.of(essSeconds), "reference: 1.67 s");
    add("ess", "boston: likelihood evaluations per sample", "evals", Stats.of(perSample), "reference: 8.75");
    Stats e2e = Stats.of(endToEnd);
    add("end to end", "boston split: train + PCA + ESS + evaluate, in process", "s", e2e, String.format(Locale.ROOT,
        "%.1fx faster than the reference's training + ESS, %.2f s (target >= 3x)",
        REFERENCE_BOSTON_TRAIN_PLUS_ESS_SECONDS / e2e.median(), REFERENCE_BOSTON_TRAIN_PLUS_ESS_SECONDS));
    Stats process = Stats.of(wholeProcess());
    add("end to end", "boston split: a whole `subspace run` process", "s", process, String.format(Locale.ROOT,
        "%.1fx faster than the reference's whole process, %.1f s", REFERENCE_BOSTON_PROCESS_SECONDS / process.median(),
        REFERENCE_BOSTON_PROCESS_SECONDS));
  }

  /** Wall seconds of child JVMs running one boston split (ESS) through the command line, JVM start included. */
  private double[] wholeProcess() throws Exception {
    Path sweep = work.resolve("boston-one-split.conf");
    Files.writeString(sweep, String.join("\n",
        "include file(\"" + Path.of("config/sweeps/uci.conf").toAbsolutePath() + "\")",
        "datasets = [boston]", "data.splits = [1]", "inference.methods = [ess]", ""));
    double[] seconds = new double[quick ? 2 : 3];
    for (int r = 0; r < seconds.length; r++) {
      Path out = work.resolve("process-" + r);
      List<String> command = ChildJvm.command(List.of(
          "-Dai.djl.pytorch.num_threads=" + System.getProperty("ai.djl.pytorch.num_threads", "1"),
          "-Djava.awt.headless=true"), SubspaceCommand.class.getName(), List.of("run", sweep.toString(), "--out",
          out.toString()));
      long start = System.nanoTime();
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(work.resolve("process-" + r + ".log").toFile()).start();
      if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
        throw new IllegalStateException("the boston process failed; see " + work.resolve("process-" + r + ".log"));
      }
      seconds[r] = (System.nanoTime() - start) / 1e9;
    }
    return seconds;
  }

  /** A 24-stage toy sweep (1 training, 1 PCA, 11 chains, 11 evaluations) with 1 and 2 local workers. */
  private void orchestration() throws Exception {
    for (int workers : new int[] {1, 2}) {
      List<Double> overheads = new ArrayList<>();
      List<Double> latencies = new ArrayList<>();
      for (int r = 0; r < (quick ? 1 : 2); r++) {
        Path out = work.resolve("sweep-w" + workers + "-" + r);
        SweepSpec spec = new SweepConfigLoader().load(Path.of("config/sweeps/toy-regression.conf"), Map.of(
            "training.epochs", "300", "training.swag.start-epoch", "200", "inference.samples", quick ? "300" : "1000",
            "inference.temperatures", "[0.5,1,1.5,2,3,4,5,7,10,15,20]", "evaluation.grid.enabled", "false",
            "orchestrator.workers", Integer.toString(workers)));
        StagePlan plan = StagePlan.of(spec);
        LocalSweep.run(spec, plan, out);
        List<Map<String, Object>> events = EventLog.read(out.resolve("events.jsonl"));
        double compute = 0;
        long started = 0;
        long done = 0;
        for (Map<String, Object> e : events) {
          switch ((String) e.get("event")) {
            case "stage-done" -> compute += ((Number) e.get("seconds")).doubleValue();
            case "stage-started" -> latencies.add(((Number) e.get("scheduling_ms")).doubleValue());
            case "sweep-started" -> started = ((Number) e.get("time")).longValue();
            case "sweep-done" -> done = ((Number) e.get("time")).longValue();
            default -> { }
          }
        }
        overheads.add((done - started) / 1e3 / compute);
      }
      add("orchestration", "24-stage sweep, " + workers + " worker(s): wall / sum of stage compute", "ratio",
          Stats.of(overheads), workers == 1 ? "target < 1.05" : "below 1: stages ran in parallel");
      add("orchestration", "scheduling latency (ready -> started), " + workers + " worker(s)", "ms",
          Stats.of(latencies), "target: median < 5 ms");
    }
  }

  /**
   * RSS and direct memory across 10,000 toy likelihood evaluations after a warm-up, measured in
   * a child JVM whose heap is fixed and pre-touched: the Java heap then cannot grow or shrink,
   * and RSS moves only with native memory.
   */
  private void memory() throws Exception {
    int warmup = quick ? 2000 : 5000;
    int measured = quick ? 4000 : 10_000;
    int every = 1000;
    List<String> command = ChildJvm.command(List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch",
        "-Dai.djl.pytorch.num_threads=1"), MemoryProbe.class.getName(),
        List.of(Integer.toString(warmup + measured), Integer.toString(every)));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    // Only the probe's own lines: the child's logging may share its stdout.
    List<String> lines = new String(process.getInputStream().readAllBytes()).lines()
        .filter(l -> l.matches("\\d+ [0-9.]+ [0-9.]+")).toList();
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0 || lines.isEmpty()) {
      throw new IllegalStateException("the memory probe failed: " + lines);
    }
    List<Double> rss = new ArrayList<>();
    List<Double> direct = new ArrayList<>();
    double atWarmup = Double.NaN;
    for (String line : lines) {
      String[] f = line.split(" ");
      if (Integer.parseInt(f[0]) == warmup) {
        atWarmup = Double.parseDouble(f[1]);
      }
      if (Integer.parseInt(f[0]) >= warmup) {
        rss.add(Double.parseDouble(f[1]));
        direct.add(Double.parseDouble(f[2]));
      }
    }
    Stats rssStats = Stats.of(rss);
    double end = rss.get(rss.size() - 1);
    add("memory", "RSS over " + measured + " evaluations after " + warmup + " of warm-up (every " + every + ")", "MB",
        rssStats, String.format(Locale.ROOT, "end %+.1f%% vs warm-up, range %.1f%% (target within 5%%)",
            100 * (end / atWarmup - 1), 100 * (rssStats.max() - rssStats.min()) / atWarmup));
    add("memory", "direct buffers over the same evaluations", "MB", Stats.of(direct), "");
  }

  /** Writes perf.md and perf.csv with the machine noted. */
  public static void write(Path out, List<Row> rows, String machine) {
    StringBuilder md = new StringBuilder("# subspace bench perf\n\n").append(machine).append("\n\n")
        .append("| section | metric | median | min - max | unit | repeats | target / comparison |\n")
        .append("|---|---|---|---|---|---|---|\n");
    StringBuilder csv = new StringBuilder("section,metric,unit,median,min,max,repeats,target\n");
    for (Row r : rows) {
      Stats s = r.stats();
      md.append(String.format(Locale.ROOT, "| %s | %s | %.4g | %.4g - %.4g | %s | %d | %s |%n", r.section(),
          r.metric(), s.median(), s.min(), s.max(), r.unit(), s.repeats(), r.target()));
      csv.append(String.format(Locale.ROOT, "%s,\"%s\",%s,%s,%s,%s,%d,\"%s\"%n", r.section(), r.metric(), r.unit(),
          s.median(), s.min(), s.max(), s.repeats(), r.target()));
    }
    AtomicFiles.write(out.resolve("perf.md"), md.toString());
    AtomicFiles.write(out.resolve("perf.csv"), csv.toString());
  }
}
