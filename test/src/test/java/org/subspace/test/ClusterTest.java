package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.runtime.EventLog;

/**
 * The cluster mode on 127.0.0.1: an orchestrator node (in this JVM) and worker nodes (child
 * JVMs with their own stores) run the shortened 4 x 3 toy grid with the same results as one
 * JVM; SIGKILLed workers and orchestrators, and a paused worker, change neither the results nor
 * how often each stage is done.
 */
class ClusterTest {
  private static final List<String> SHORT = List.of(
      "-D", "training.epochs=300", "-D", "training.swag.start-epoch=200", "-D", "inference.samples=100",
      "-D", "orchestrator.checkpoint.train-epochs=25", "-D", "orchestrator.checkpoint.sample-iterations=20");

  /** Long enough in every phase for three kills to land while work remains. */
  private static final List<String> LONGER = List.of(
      "-D", "training.epochs=1000", "-D", "training.swag.start-epoch=700", "-D", "inference.samples=600",
      "-D", "orchestrator.checkpoint.train-epochs=25", "-D", "orchestrator.checkpoint.sample-iterations=20");

  private static final ExecutorService ORCHESTRATORS = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "test-orchestrator");
    thread.setDaemon(true);
    return thread;
  });

  @TempDir static Path dir;
  private static List<Map<String, Object>> reference;
  private static List<Map<String, Object>> longerReference;

  @BeforeAll
  static void oneJvmReferences() {
    reference = oneJvm(dir.resolve("one-jvm"), SHORT);
    longerReference = oneJvm(dir.resolve("one-jvm-longer"), LONGER);
  }

  private static List<Map<String, Object>> oneJvm(Path out, List<String> settings) {
    List<String> args = new ArrayList<>(List.of("run", "config/sweeps/toy-grid.conf", "--out", out.toString()));
    args.addAll(settings);
    StringWriter output = new StringWriter();
    assertEquals(0, SubspaceCommand.execute(new PrintWriter(output, true), new PrintWriter(output, true),
        args.toArray(new String[0])), output.toString());
    return TestRuns.resultsWithoutTimings(out);
  }

  private static CompletableFuture<Integer> orchestrator(Path out, int port, List<String> settings) {
    List<String> args = new ArrayList<>(List.of("orchestrator", "config/sweeps/toy-grid.conf", "--out", out.toString(),
        "--port", Integer.toString(port)));
    args.addAll(settings);
    // A thread of its own: the common pool has one thread on 2 cores, and an orchestrator left
    // running by a failed test must not starve the next test's.
    return CompletableFuture.supplyAsync(() -> SubspaceCommand.execute(new PrintWriter(new StringWriter(), true),
        new PrintWriter(new StringWriter(), true), args.toArray(new String[0])), ORCHESTRATORS);
  }

  /** Two worker JVMs joining the seed, by their cluster address (host:port). */
  private static Map<String, Process> twoWorkers(int seed, String name) throws IOException {
    Map<String, Process> workers = new HashMap<>(oneWorker(seed, name + "-a"));
    workers.putAll(oneWorker(seed, name + "-b"));
    return workers;
  }

  private static Map<String, Process> oneWorker(int seed, String name) throws IOException {
    int port = TestRuns.freePort();
    return Map.of("127.0.0.1:" + port, worker(seed, port, dir.resolve(name)));
  }

  private static Process worker(int seedPort, int port, Path store) throws IOException {
    return TestRuns.child(store.resolveSibling(store.getFileName() + ".log"), List.of("worker", "--join",
        "127.0.0.1:" + seedPort, "--port", Integer.toString(port), "--store", store.toString()));
  }

  @Test
  void anOrchestratorAndTwoWorkerNodesGiveTheOneJvmResults() throws Exception {
    Path out = dir.resolve("cluster");
    int seed = TestRuns.freePort();
    CompletableFuture<Integer> sweep = orchestrator(out, seed, SHORT);
    Process a = worker(seed, TestRuns.freePort(), dir.resolve("store-a"));
    Process b = worker(seed, TestRuns.freePort(), dir.resolve("store-b"));
    try {
      assertEquals(0, sweep.get(180, TimeUnit.SECONDS));
    } finally {
      a.destroyForcibly();
      b.destroyForcibly();
    }
    assertEquals(reference, TestRuns.resultsWithoutTimings(out));
    List<Map<String, Object>> events = EventLog.read(out.resolve("events.jsonl"));
    long workersUsed = events.stream().filter(e -> "stage-started".equals(e.get("event")))
        .map(e -> e.get("worker")).distinct().count();
    assertEquals(2, workersUsed, "both worker nodes ran stages");
    assertTrue(Files.list(dir.resolve("store-a").resolve("objects")).findAny().isPresent(),
        "worker nodes keep artifacts in their own stores");
  }

  @Test
  void aKilledWorkersStageIsReassignedWithinSevenSecondsAndNothingChanges() throws Exception {
    Path out = dir.resolve("killed");
    int seed = TestRuns.freePort();
    CompletableFuture<Integer> sweep = orchestrator(out, seed, SHORT);
    Map<String, Process> workers = twoWorkers(seed, "kill");
    long killedAt;
    String victim;
    try {
      Map<String, Object> checkpoint = waitForEvent(out, e -> "stage-checkpoint".equals(e.get("event"))
          && "train".equals(e.get("kind")));
      victim = String.valueOf(checkpoint.get("worker")).replace("subspace@", "");
      assertTrue(workers.containsKey(victim), "the training runs on " + victim);
      workers.get(victim).destroyForcibly().waitFor();
      killedAt = System.currentTimeMillis();
      assertEquals(0, sweep.get(180, TimeUnit.SECONDS));
    } finally {
      workers.values().forEach(Process::destroyForcibly);
    }
    Map<String, Object> trainStart = EventLog.read(out.resolve("events.jsonl")).stream()
        .filter(e -> "stage-started".equals(e.get("event")) && "train".equals(e.get("kind"))
            && ((Number) e.get("time")).longValue() >= killedAt)
        .findFirst().orElseThrow(() -> new AssertionError("the training was not started again"));
    long reassignMillis = ((Number) trainStart.get("time")).longValue() - killedAt;
    System.out.println("reassignment after SIGKILL: " + reassignMillis + " ms");
    // The failure detector tolerates 3 s of silence (GC pauses), then the stage is queued again at once.
    assertTrue(reassignMillis < 7000, "reassigned " + reassignMillis + " ms after the kill");
    assertTrue(!String.valueOf(trainStart.get("worker")).contains(victim), "on the surviving worker");
    assertEquals(reference, TestRuns.resultsWithoutTimings(out));
  }

  @Test
  void workersKilledAtRandomMomentsChangeNothing() throws Exception {
    Path out = dir.resolve("chaos");
    int seed = TestRuns.freePort();
    CompletableFuture<Integer> sweep = orchestrator(out, seed, LONGER);
    Map<String, Process> workers = twoWorkers(seed, "chaos-0");
    Random random = new Random(8);
    // One kill while training, one among the chains, one among the evaluations; each moment is
    // a random delay after a stage of that kind started, and the victim is the worker running it.
    List<String> phases = List.of("train", "sample", "evaluate");
    long lastKill = 0;
    try {
      for (int round = 0; round < phases.size(); round++) {
        String phase = phases.get(round);
        long after = lastKill;
        Map<String, Object> started = waitForEvent(out, e -> "stage-started".equals(e.get("event"))
            && phase.equals(e.get("kind")) && ((Number) e.get("time")).longValue() > after);
        Thread.sleep(random.nextInt(800));
        String victim = String.valueOf(started.get("worker")).replace("subspace@", "");
        workers.remove(victim).destroyForcibly().waitFor();
        lastKill = System.currentTimeMillis();
        System.out.printf("chaos: killed %s during %s%n", victim, phase);
        workers.putAll(oneWorker(seed, "chaos-" + (round + 1)));
      }
      assertEquals(0, sweep.get(180, TimeUnit.SECONDS));
    } finally {
      workers.values().forEach(Process::destroyForcibly);
    }
    TestRuns.assertEveryStageDoneOnce(out, 26);
    assertEquals(longerReference, TestRuns.resultsWithoutTimings(out));
  }

  @Test
  void anOrchestratorKilledThreeTimesRestartsFindsItsWorkersAgainAndResumes() throws Exception {
    Path out = dir.resolve("orchestrator-killed");
    int seed = TestRuns.freePort();
    List<String> orchestrator = new ArrayList<>(List.of("orchestrator", "config/sweeps/toy-grid.conf", "--out",
        out.toString(), "--port", Integer.toString(seed), "--quiet", "-D", "orchestrator.metrics.port=0"));
    orchestrator.addAll(SHORT);
    Process a = worker(seed, TestRuns.freePort(), dir.resolve("rejoin-a"));
    Process b = worker(seed, TestRuns.freePort(), dir.resolve("rejoin-b"));
    List<Process> orchestrators = new ArrayList<>();
    // Killed mid-training, after the first chain, and after the first evaluation of its run.
    List<Predicate<Map<String, Object>>> killPoints = List.of(
        e -> "stage-checkpoint".equals(e.get("event")) && "train".equals(e.get("kind")),
        e -> "stage-done".equals(e.get("event")) && "sample".equals(e.get("kind")),
        e -> "stage-done".equals(e.get("event")) && "evaluate".equals(e.get("kind")));
    try {
      for (Predicate<Map<String, Object>> killPoint : killPoints) {
        long startedAt = System.currentTimeMillis();
        Process run = TestRuns.child(dir.resolve("orchestrator-" + orchestrators.size() + ".log"), orchestrator);
        orchestrators.add(run);
        waitForEvent(out, e -> killPoint.test(e) && ((Number) e.get("time")).longValue() >= startedAt);
        run.destroyForcibly().waitFor();
      }
      // The workers lose their orchestrator, are removed from the dead cluster, and join again.
      Process last = TestRuns.child(dir.resolve("orchestrator-last.log"), orchestrator);
      orchestrators.add(last);
      assertTrue(last.waitFor(180, TimeUnit.SECONDS), "the restarted orchestrator finishes");
      assertEquals(0, last.exitValue());
      assertTrue(a.isAlive() && b.isAlive(), "the workers outlived their orchestrators");
    } finally {
      orchestrators.forEach(Process::destroyForcibly);
      a.destroyForcibly();
      b.destroyForcibly();
    }
    List<Map<String, Object>> events = EventLog.read(out.resolve("events.jsonl"));
    TestRuns.assertEveryStageDoneOnce(out, 26);
    assertEquals(3, events.stream().filter(e -> "sweep-started".equals(e.get("event"))).count() - 1,
        "three restarts");
    assertTrue(events.stream().anyMatch(e -> "stage-cached".equals(e.get("event"))), "the restart found finished work");
    assertEquals(reference, TestRuns.resultsWithoutTimings(out));
  }

  @Test
  void aPausedWorkerIsReplacedAndItsLateWorkChangesNothing() throws Exception {
    Path out = dir.resolve("partition");
    int seed = TestRuns.freePort();
    CompletableFuture<Integer> sweep = orchestrator(out, seed, SHORT);
    Map<String, Process> workers = twoWorkers(seed, "pause");
    String pausedWorker;
    try {
      Map<String, Object> checkpoint = waitForEvent(out, e -> "stage-checkpoint".equals(e.get("event"))
          && "train".equals(e.get("kind")));
      pausedWorker = String.valueOf(checkpoint.get("worker"));
      Process paused = workers.get(pausedWorker.replace("subspace@", ""));
      signal("STOP", paused);
      // Past the failure detector and Split Brain Resolver: the other side carries on without it.
      Thread.sleep(8000);
      signal("CONT", paused);
      assertEquals(0, sweep.get(180, TimeUnit.SECONDS));
    } finally {
      workers.values().forEach(Process::destroyForcibly);
    }
    TestRuns.assertEveryStageDoneOnce(out, 26);
    List<Map<String, Object>> events = EventLog.read(out.resolve("events.jsonl"));
    assertTrue(events.stream().anyMatch(e -> "stage-started".equals(e.get("event")) && "train".equals(e.get("kind"))
        && !pausedWorker.equals(e.get("worker"))), "the training moved to the worker that was not paused");
    assertEquals(reference, TestRuns.resultsWithoutTimings(out));
  }

  private static void signal(String name, Process process) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    assertEquals(0, kill.waitFor(), "kill -" + name);
  }

  private static Map<String, Object> waitForEvent(Path out, Predicate<Map<String, Object>> match)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (Files.exists(out.resolve("events.jsonl"))) {
        for (Map<String, Object> e : EventLog.read(out.resolve("events.jsonl"))) {
          if (match.test(e)) {
            return e;
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("timed out waiting for an event");
  }
}
