package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.plan.PlannedStage;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.orchestrator.runtime.EventLog;
import org.subspace.orchestrator.runtime.ResultRow;
import org.subspace.protocol.stage.StageKind;

/**
 * Stage leases on a small toy grid (1 training, 1 subspace, 4 chains, 4 evaluations): lost
 * messages and an attempt hung for good are found by lease expiry and change no number; a stage that SIGKILLs its worker's
 * JVM on every attempt fails alone after its attempts, with the reason, and the sweep exits 1.
 */
class StageLeaseTest {
  private static final String GRID = "config/sweeps/toy-grid.conf";
  private static final Map<String, String> SMALL = Map.of(
      "training.epochs", "150", "training.swag.start-epoch", "100", "inference.samples", "100",
      "subspace.ranks", "[2, 5]", "inference.temperatures", "[0.5, 1.5]",
      "orchestrator.checkpoint.train-epochs", "25", "orchestrator.checkpoint.sample-iterations", "20");
  /** Short leases, so that lost messages cost seconds, not minutes. */
  private static final Map<String, String> SHORT_LEASES = Map.of(
      "orchestrator.lease.ack-timeout", "1500ms", "orchestrator.lease.timeout", "3s");

  @TempDir static Path dir;
  private static Path reference;
  private static StagePlan plan;

  private static List<String> args(String command, Path out, Map<String, String> settings) {
    List<String> args = new ArrayList<>(List.of(command, GRID, "--out", out.toString()));
    settings.forEach((key, value) -> args.addAll(List.of("-D", key + "=" + value)));
    return args;
  }

  private static Map<String, String> settings(Map<String, String> extra) {
    Map<String, String> all = new HashMap<>(SMALL);
    all.putAll(extra);
    return all;
  }

  private static int run(List<String> args, StringWriter output) {
    return SubspaceCommand.execute(new PrintWriter(output, true), new PrintWriter(output, true),
        args.toArray(new String[0]));
  }

  @BeforeAll
  static void undisturbedRun() throws IOException {
    reference = dir.resolve("reference");
    StringWriter output = new StringWriter();
    assertEquals(0, run(args("run", reference, settings(Map.of(
        "orchestrator.metrics.port", Integer.toString(TestRuns.freePort())))), output), output.toString());
    plan = StagePlan.of(new SweepConfigLoader().load(Path.of(GRID), SMALL));
  }

  private static PlannedStage firstOfKind(StageKind kind) {
    return plan.ofKind(kind).get(0);
  }

  @Test
  void aDroppedRunStageDroppedSuccessesAndAHungAttemptAreFoundByLeaseExpiryAndChangeNothing() throws IOException {
    Path out = dir.resolve("dropped");
    String chain = firstOfKind(StageKind.SAMPLE).key();
    String hung = plan.ofKind(StageKind.SAMPLE).get(1).key();
    StringWriter output = new StringWriter();
    long started = System.nanoTime();
    Map<String, String> faults = new HashMap<>(SHORT_LEASES);
    faults.putAll(Map.of(
        "orchestrator.fault-injection.drop-run-stage", "[train]",
        "orchestrator.fault-injection.drop-succeeded", "[subspace, " + chain.substring(0, 12) + "]",
        // Its first attempt never returns from half-way; 4 s without an iteration and it is taken for hung.
        "orchestrator.fault-injection.hang", "[" + hung.substring(0, 12) + "]",
        "orchestrator.lease.hang-timeout", "4s",
        "orchestrator.metrics.port", Integer.toString(TestRuns.freePort()), "orchestrator.workers", "2"));
    int code = run(args("run", out, settings(faults)), output);
    System.out.printf("dropped messages and a hang: sweep took %.1f s%n", (System.nanoTime() - started) / 1e9);
    assertEquals(0, code, output.toString());

    List<Map<String, Object>> events = EventLog.read(out.resolve("events.jsonl"));
    List<Map<String, Object>> reassigned = events.stream().filter(e -> "stage-reassigned".equals(e.get("event")))
        .toList();
    assertTrue(reassigned.stream().anyMatch(e -> firstOfKind(StageKind.TRAIN).key().equals(e.get("key"))
        && String.valueOf(e.get("reason")).startsWith("no acknowledgement from worker")), "the training: " + reassigned);
    for (String key : List.of(firstOfKind(StageKind.SUBSPACE).key(), chain, hung)) {
      assertTrue(reassigned.stream().anyMatch(e -> key.equals(e.get("key"))
          && String.valueOf(e.get("reason")).startsWith("lease expired: nothing from worker")), key + ": " + reassigned);
    }
    TestRuns.assertEveryStageDoneOnce(out, plan.stages().size());
    assertEquals(TestRuns.resultsWithoutTimings(reference), TestRuns.resultsWithoutTimings(out));
  }

  @Test
  void aStageThatKillsItsWorkerEveryTimeFailsAloneAfterItsAttempts() throws Exception {
    Path out = dir.resolve("killer");
    PlannedStage killer = firstOfKind(StageKind.SAMPLE);
    int seed = TestRuns.freePort();
    List<String> orchestrator = args("orchestrator", out, settings(Map.of("orchestrator.max-attempts", "2",
        "orchestrator.metrics.port", Integer.toString(TestRuns.freePort()))));
    orchestrator.addAll(List.of("--port", Integer.toString(seed)));
    StringWriter output = new StringWriter();
    long started = System.nanoTime();
    CompletableFuture<Integer> sweep = CompletableFuture.supplyAsync(() -> run(orchestrator, output),
        command -> {
          Thread thread = new Thread(command, "test-orchestrator");
          thread.setDaemon(true);
          thread.start();
        });
    // Three workers: the stage's two attempts kill two of them, the third finishes the sweep.
    List<Process> workers = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        workers.add(worker(seed, "w" + i, killer.key()));
      }
      assertEquals(1, sweep.get(120, TimeUnit.SECONDS), output.toString());
      System.out.printf("a stage that kills its worker: sweep took %.1f s%n", (System.nanoTime() - started) / 1e9);
    } finally {
      // The survivor is stopped with SIGTERM (exit 143), the killed ones died of SIGKILL (137).
      workers.forEach(Process::destroy);
    }
    int deaths = 0;
    for (Process worker : workers) {
      assertTrue(worker.waitFor(10, TimeUnit.SECONDS));
      deaths += worker.exitValue() == 137 ? 1 : 0;
    }
    assertEquals(2, deaths, "every attempt killed its worker");
    List<Map<String, Object>> events = EventLog.read(out.resolve("events.jsonl"));
    Map<String, Object> failed = events.stream().filter(e -> "stage-failed".equals(e.get("event"))).findFirst()
        .orElseThrow();
    assertEquals(killer.key(), failed.get("key"));
    String error = String.valueOf(failed.get("error"));
    assertTrue(error.matches("stage " + java.util.regex.Pattern.quote(killer.description())
        // Which the scheduler hears first, the failure detector or the Receptionist, is a race.
        + " lost its worker 2 times \\(last: worker subspace@127\\.0\\.0\\.1:\\d+ (is unreachable|left)\\)"), error);
    assertEquals(1, events.stream().filter(e -> "stage-failed".equals(e.get("event"))).count());
    List<ResultRow> rows = TestRuns.results(out);
    assertEquals(4, rows.size());
    List<ResultRow> failedRows = rows.stream().filter(r -> !r.ok()).toList();
    assertEquals(1, failedRows.size(), "only the killer's configuration failed: " + rows);
    assertTrue(failedRows.get(0).error().endsWith(error), failedRows.get(0).error());
    // The rest of the sweep is what the undisturbed run computed.
    List<Map<String, Object>> expected = TestRuns.resultsWithoutTimings(reference);
    List<Map<String, Object>> actual = TestRuns.resultsWithoutTimings(out);
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).ok()) {
        assertEquals(expected.get(i), actual.get(i));
      }
    }
  }

  private static Process worker(int seedPort, String name, String killerKey) throws IOException {
    Path store = dir.resolve("store-" + name);
    return TestRuns.child(dir.resolve(name + ".log"), List.of("worker", "--join", "127.0.0.1:" + seedPort,
        "--port", Integer.toString(TestRuns.freePort()), "--store", store.toString(),
        "--fault-injection", "kill-worker = [" + killerKey.substring(0, 16) + "]"));
  }
}
