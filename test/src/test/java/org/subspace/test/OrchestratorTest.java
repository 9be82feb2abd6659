package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.runtime.EventLog;
import org.subspace.orchestrator.runtime.ResultRow;
import org.subspace.protocol.RegressionScores;
import org.subspace.protocol.vocabulary.Method;
import org.subspace.protocol.vocabulary.SubspaceKind;
import org.subspace.workers.data.Datasets;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.eval.RegressionEvaluation;
import org.subspace.workers.inference.EllipticalSliceSampler;
import org.subspace.workers.model.Mlp;
import org.subspace.workers.model.SubspaceNetwork;
import org.subspace.workers.random.Seeds;
import org.subspace.workers.stages.Specs;
import org.subspace.workers.subspace.Subspaces;
import org.subspace.workers.train.SgdTrainer;
import org.subspace.workers.train.TrainingSettings;
import org.subspace.workers.train.TrainingState;

/**
 * The orchestrator on the 4 x 3 toy grid (shortened: 300 epochs, 100 samples): shared stages
 * run once, results equal independent library runs, and neither injected faults nor killing
 * the process changes a single number.
 */
class OrchestratorTest {
  private static final String GRID = "config/sweeps/toy-grid.conf";
  private static final List<String> SHORT = List.of(
      "-D", "training.epochs=300", "-D", "training.swag.start-epoch=200", "-D", "inference.samples=100",
      "-D", "orchestrator.checkpoint.train-epochs=25", "-D", "orchestrator.checkpoint.sample-iterations=20",
      // Any free port, so that other sweeps on this machine do not collide.
      "-D", "orchestrator.metrics.port=0");

  @TempDir static Path dir;
  private static Path reference;

  private static List<String> args(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("run", GRID, "--out", out.toString()));
    args.addAll(SHORT);
    args.addAll(Arrays.asList(extra));
    return args;
  }

  private static int run(Path out, String... extra) {
    StringWriter output = new StringWriter();
    int code = SubspaceCommand.execute(new PrintWriter(output, true), new PrintWriter(output, true),
        args(out, extra).toArray(new String[0]));
    assertEquals(0, code, output.toString());
    return code;
  }

  @BeforeAll
  static void undisturbedRunWithTwoWorkers() {
    reference = dir.resolve("reference");
    run(reference, "--workers", "2");
  }

  @Test
  void stagesThatExhaustTheirAttemptsFailAloneAndTheSweepExitsWithOne() throws IOException {
    // Reuse the finished grid so only six new chains (and their evaluations) run, half of their
    // attempts doomed and no retry allowed.
    Path out = dir.resolve("exhausted");
    copy(reference, out);
    StringWriter output = new StringWriter();
    List<String> args = args(out, "-D", "inference.temperatures=[0.5,1.5,5,15,50,150]",
        "-D", "orchestrator.fault-injection.rate=0.5", "-D", "orchestrator.fault-injection.seed=4",
        "-D", "orchestrator.max-attempts=1");
    int code = SubspaceCommand.execute(new PrintWriter(output, true), new PrintWriter(output, true),
        args.toArray(new String[0]));
    assertEquals(1, code, output.toString());
    List<ResultRow> rows = TestRuns.results(out);
    assertEquals(18, rows.size(), "every configuration has a row");
    List<ResultRow> failed = rows.stream().filter(r -> !r.ok()).toList();
    assertTrue(!failed.isEmpty() && failed.size() < 6, "some new configurations failed, others finished: " + failed);
    assertTrue(failed.stream().allMatch(r -> r.error().contains("injected fault")), "a failed row says why: " + failed);
    List<Map<String, Object>> events = events(out);
    long failedStages = events.stream().filter(e -> "stage-failed".equals(e.get("event"))).count();
    long failedSamples = count(events, "stage-failed", "sample");
    assertEquals(failedSamples, count(events, "stage-blocked", "evaluate"), "a failed chain blocks its evaluation");
    assertEquals(failed.size(), failedStages - failedSamples + count(events, "stage-blocked", "evaluate"));
    assertTrue(output.toString().contains("FAILED: "), output.toString());
  }

  @Test
  void aSweepOverTwoDatasetsPlansEachOnce() {
    StringWriter output = new StringWriter();
    int code = SubspaceCommand.execute(new PrintWriter(output, true), new PrintWriter(output, true),
        "run", GRID, "--out", dir.resolve("two-datasets").toString(), "--dry-run",
        "-D", "datasets=[{data.name=generated}, {data {name=reference-file, source=table, split=all,"
            + " path=\"../shared/data/toy/toy_regression.csv\","
            + " format {separator=comma, header-lines=1, target-column=1}}, subspace.ranks=[10]}]");
    assertEquals(0, code, output.toString());
    List<String> lines = output.toString().lines().toList();
    assertEquals("toy-grid: 16 configuration(s), 36 stages", lines.get(0));
    assertTrue(lines.contains("train          2      0      2"), output.toString());
    assertTrue(lines.contains("subspace       2      0      2"), output.toString());
    assertTrue(lines.contains("sample        16      0     16"), output.toString());
    assertFalse(Files.exists(dir.resolve("two-datasets")), "a dry run writes nothing");
  }

  private static List<Map<String, Object>> events(Path out) throws IOException {
    return EventLog.read(out.resolve("events.jsonl"));
  }

  private static long count(List<Map<String, Object>> events, String event, String kind) {
    return events.stream().filter(e -> event.equals(e.get("event")) && kind.equals(e.get("kind"))).count();
  }

  @Test
  void everySharedStageRunsOnce() throws IOException {
    List<Map<String, Object>> events = events(reference);
    assertEquals(1, count(events, "stage-done", "train"));
    assertEquals(1, count(events, "stage-done", "subspace"));
    assertEquals(12, count(events, "stage-done", "sample"));
    assertEquals(12, count(events, "stage-done", "evaluate"));
    assertEquals(26, events.stream().filter(e -> "stage-started".equals(e.get("event"))).count(), "no retries");
    assertEquals(12, TestRuns.results(reference).size());
  }

  @Test
  void theSchedulerNeverRunsMoreThanAWorkersSlotsButUsesThemAll() throws IOException {
    Map<String, String> workerOf = new HashMap<>();
    Map<String, Integer> busy = new HashMap<>();
    int mostBusyWorker = 0;
    int mostInFlight = 0;
    for (Map<String, Object> e : events(reference)) {
      String key = (String) e.get("key");
      switch ((String) e.get("event")) {
        case "stage-started" -> {
          workerOf.put(key, (String) e.get("worker"));
          int now = busy.merge((String) e.get("worker"), 1, Integer::sum);
          mostBusyWorker = Math.max(mostBusyWorker, now);
        }
        case "stage-done", "stage-retry", "stage-failed" -> busy.merge(workerOf.get(key), -1, Integer::sum);
        default -> { }
      }
      mostInFlight = Math.max(mostInFlight, busy.values().stream().mapToInt(Integer::intValue).sum());
    }
    assertEquals(1, mostBusyWorker, "one slot per worker");
    assertEquals(2, mostInFlight, "both workers were used at once");
  }

  @Test
  void resultsEqualTwelveIndependentRunsThroughTheLibrary() throws IOException {
    SweepSpec.Experiment e = new SweepConfigLoader()
        .load(Path.of(GRID), overrides()).experiments().get(0);
    RegressionData data = Datasets.load(e.data(), "held-out").data();
    for (ResultRow row : TestRuns.results(reference)) {
      RegressionScores alone = runAlone(e, data, row.rank(), row.temperature());
      assertEquals(alone.testLogLikelihood(), row.testLl(), row.toString());
      assertEquals(alone.rmse(), row.rmse(), row.toString());
      assertEquals(alone.coverage95(), row.coverage95(), row.toString());
    }
  }

  private static Map<String, String> overrides() {
    Map<String, String> overrides = new HashMap<>();
    for (int i = 0; i < SHORT.size(); i += 2) {
      String[] kv = SHORT.get(i + 1).split("=", 2);
      overrides.put(kv[0], kv[1]);
    }
    return overrides;
  }

  /** One configuration from scratch with the library alone: train, PCA at this rank, ESS, evaluate. */
  private static RegressionScores runAlone(SweepSpec.Experiment e, RegressionData data, int rank, double t) {
    long seed = e.seeds().get(0);
    Mlp mlp = new Mlp(Specs.mlp(e.model(), data.features()));
    TrainingSettings settings = Specs.training(e.training(), e.model());
    TrainingState trained = new SgdTrainer(mlp, data, settings, seed)
        .run(TrainingState.initial(mlp.spec(), settings, seed), null);
    var subspace = Subspaces.pca(trained.swag().meanAsFloats(), trained.swag().deviations(), rank);
    var inference = e.inference();
    try (SubspaceNetwork network = new SubspaceNetwork(mlp, Specs.likelihood(e.model(), inference.noiseVariance()),
        subspace, data.trainX(), data.trainY())) {
      EllipticalSliceSampler ess = new EllipticalSliceSampler(new EllipticalSliceSampler.Settings(
          inference.samples(), inference.burnIn(), inference.thin(), inference.priorStd(), t));
      long chainSeed = Seeds.chain(seed, SubspaceKind.PCA, rank, Method.ESS, t, "held-out");
      var chain = ess.run(ess.start(new double[rank], chainSeed, network::logLikelihood), network::logLikelihood,
          null);
      float[][][] predictions = network.predict(chain.samples().toArray(new double[0][]), data.evalX());
      return RegressionEvaluation.score(predictions[0], predictions[1], data.evalY(), data.yStd());
    }
  }

  @Test
  void injectedFailuresInThirtyPercentOfAttemptsChangeNothing() throws IOException {
    Path out = dir.resolve("faults");
    run(out, "--workers", "2", "-D", "orchestrator.fault-injection.rate=0.3",
        "-D", "orchestrator.fault-injection.seed=11", "-D", "orchestrator.max-attempts=8",
        "-D", "orchestrator.retry-backoff=20ms");
    List<Map<String, Object>> events = events(out);
    List<Map<String, Object>> retries = events.stream().filter(e -> "stage-retry".equals(e.get("event"))).toList();
    assertTrue(retries.size() >= 5, "about 30% of ~26 attempts fail: " + retries.size());
    assertTrue(retries.stream().anyMatch(r -> ((Number) r.get("resume_position")).longValue() > 0),
        "some retry resumed from an in-stage checkpoint");
    assertTrue(retries.stream().allMatch(r -> String.valueOf(r.get("error")).contains("injected fault")));
    // NaN losses, out-of-memory errors and I/O errors: each retried, none changes a number.
    for (String kind : List.of("the loss is NaN", "OutOfMemoryError", "UncheckedIOException")) {
      assertTrue(retries.stream().anyMatch(r -> String.valueOf(r.get("error")).contains(kind)), kind + " injected");
    }
    assertEquals(TestRuns.resultsWithoutTimings(reference), TestRuns.resultsWithoutTimings(out));
  }

  @Test
  void moreTemperaturesLaterRunOnlyTheNewStages() throws IOException {
    Path out = dir.resolve("extended");
    copy(reference, out);
    run(out, "-D", "inference.temperatures=[0.5,1.5,5,15,50]");
    List<Map<String, Object>> events = events(out);
    int start = lastIndexOf(events, e -> "sweep-started".equals(e.get("event")));
    List<Map<String, Object>> second = events.subList(start, events.size());
    assertEquals(0, count(second, "stage-done", "train"));
    assertEquals(0, count(second, "stage-done", "subspace"));
    assertEquals(3, count(second, "stage-done", "sample"), "one new chain per rank");
    assertEquals(3, count(second, "stage-done", "evaluate"));
    assertEquals(26, second.stream().filter(e -> "stage-cached".equals(e.get("event"))).count());
    assertEquals(15, TestRuns.results(out).size());
  }

  @Test
  void corruptedOrDeletedArtifactsAreDetectedAndRecomputedNeverUsed() throws IOException {
    Path out = dir.resolve("corrupted");
    copy(reference, out);
    List<Map<String, Object>> before = events(out);
    String chainKey = firstDone(before, "sample");
    String evaluationKey = firstDone(before, "evaluate");
    Path chain = artifactOf(out, chainKey);
    byte[] bytes = Files.readAllBytes(chain);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(chain, bytes);
    Files.delete(artifactOf(out, evaluationKey));

    run(out);
    List<Map<String, Object>> all = events(out);
    List<Map<String, Object>> rerun = all.subList(lastIndexOf(all, e -> "sweep-started".equals(e.get("event"))),
        all.size());
    List<Object> recomputed = rerun.stream().filter(e -> "stage-done".equals(e.get("event"))).map(e -> e.get("key"))
        .toList();
    assertTrue(recomputed.contains(chainKey), "the chain with a flipped byte ran again");
    assertTrue(recomputed.contains(evaluationKey), "the evaluation whose output was deleted ran again");
    assertEquals(2, recomputed.size(), "and nothing else: " + recomputed);
    assertEquals(TestRuns.resultsWithoutTimings(reference), TestRuns.resultsWithoutTimings(out));
  }

  private static String firstDone(List<Map<String, Object>> events, String kind) {
    return events.stream().filter(e -> "stage-done".equals(e.get("event")) && kind.equals(e.get("kind")))
        .map(e -> (String) e.get("key")).findFirst().orElseThrow();
  }

  /** The file of a done stage's first output, found through its manifest. */
  private static Path artifactOf(Path out, String key) throws IOException {
    String manifest = Files.readString(out.resolve("store/stages/" + key + ".json"));
    Matcher m = Pattern.compile("\"sha256\"\\s*:\\s*\"([0-9a-f]{64})\"")
        .matcher(manifest);
    assertTrue(m.find(), manifest);
    return out.resolve("store/objects/" + m.group(1).substring(0, 2) + "/" + m.group(1));
  }

  @Test
  void aKilledSweepResumesFromItsCheckpointsWithIdenticalResults() throws Exception {
    Path out = dir.resolve("killed");
    // First kill: mid-training, after a training checkpoint.
    Process first = startChild(out);
    waitFor(out, events -> count(events, "stage-checkpoint", "train") >= 2, first);
    first.destroyForcibly().waitFor();
    List<Map<String, Object>> afterFirst = events(out);
    assertEquals(0, count(afterFirst, "stage-done", "train"), "killed while training");

    // Second kill: after some chains finished.
    Process second = startChild(out);
    waitFor(out, events -> count(events, "stage-done", "sample") >= 3, second);
    second.destroyForcibly().waitFor();

    Process third = startChild(out);
    assertTrue(third.waitFor(120, TimeUnit.SECONDS), "the resumed sweep finishes");
    assertEquals(0, third.exitValue());

    List<Map<String, Object>> events = events(out);
    TestRuns.assertEveryStageDoneOnce(out, 26);
    List<Map<String, Object>> trainQueued = events.stream()
        .filter(e -> "stage-queued".equals(e.get("event")) && "train".equals(e.get("kind"))).toList();
    assertEquals(Boolean.TRUE, trainQueued.get(1).get("resume"), "training continued from its checkpoint");
    assertEquals(TestRuns.resultsWithoutTimings(reference), TestRuns.resultsWithoutTimings(out));
  }

  private static Process startChild(Path out) throws IOException {
    return TestRuns.child(dir.resolve("child-" + System.nanoTime() + ".log"), args(out, "--workers", "2"));
  }

  /** Polls the event log until the condition holds; fails if the process ends first or time runs out. */
  private static void waitFor(Path out, Predicate<List<Map<String, Object>>> condition, Process process)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (Files.exists(out.resolve("events.jsonl")) && condition.test(events(out))) {
        return;
      }
      assertTrue(process.isAlive(), "the child process ended before the moment to kill it");
      Thread.sleep(10);
    }
    throw new AssertionError("timed out waiting for the event log");
  }

  private static int lastIndexOf(List<Map<String, Object>> events, Predicate<Map<String, Object>> p) {
    for (int i = events.size() - 1; i >= 0; i--) {
      if (p.test(events.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    assertFalse(Files.notExists(to.resolve("results.csv")));
  }
}
