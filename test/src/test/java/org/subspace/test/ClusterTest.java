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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.runtime.EventLog;

/**
 * The cluster mode on 127.0.0.1: an orchestrator node (in this JVM) and worker nodes (child
 * JVMs with their own stores) run the shortened 4 x 3 toy grid with the same results as one
 * JVM; SIGKILLed workers and orchestrators, and link cuts between network namespaces, change
 * neither the results nor how often each stage is done.
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

  /**
   * Real partitions: the orchestrator and two workers, each a JVM in a network namespace of its
   * own on a private subnet, under mutual TLS. A link cut shorter than the failure detector moves
   * nothing; a longer one moves the cut worker's training, the worker is downed, rejoins and works
   * again, and every stage is still computed to completion once, no worker over its slots, with
   * the one-JVM results. Nodes that may not join fail to: a plaintext one, one with another
   * role's certificate, and a plaintext node on a non-loopback address without --insecure.
   */
  @Test
  void linkCutsBetweenNetworkNamespacesMoveWorkOnlyWhenLongerThanTheFailureDetector() throws Exception {
    String unavailable = TestNetwork.unavailable();
    if (unavailable != null) {
      System.out.println("SKIPPED network-namespace partition test: " + unavailable);
    }
    Assumptions.assumeTrue(unavailable == null, "network namespaces: " + unavailable);
    Path out = dir.resolve("netns");
    Path certs = dir.resolve("netns-certs");
    TestRuns.certificates(certs, "orchestrator", "worker1", "worker2");
    List<Process> processes = new ArrayList<>();
    try (TestNetwork net = TestNetwork.create("orchestrator", "worker1", "worker2", "rogue")) {
      String seed = net.address("orchestrator") + ":25520";
      List<String> plain = inNamespace(net, "orchestrator", List.of("orchestrator", "config/sweeps/toy-grid.conf",
          "--out", dir.resolve("netns-plain").toString(), "--host", net.address("orchestrator")));
      Process refused = TestRuns.start(dir.resolve("netns-plain.log"), plain);
      assertTrue(refused.waitFor(60, TimeUnit.SECONDS));
      assertEquals(2, refused.exitValue());
      assertTrue(Files.readString(dir.resolve("netns-plain.log")).contains("a node without --tls on a non-loopback "
          + "address"), "a plaintext orchestrator on the subnet refuses to start");

      List<String> orchestrator = new ArrayList<>(List.of("orchestrator", "config/sweeps/toy-grid.conf", "--out",
          out.toString(), "--host", net.address("orchestrator"), "--port", "25520", "--tls",
          certs.resolve("orchestrator").toString(), "--quiet", "-D", "orchestrator.metrics.port=0"));
      orchestrator.addAll(SHORT);
      Process sweep = TestRuns.start(dir.resolve("netns-orchestrator.log"), inNamespace(net, "orchestrator",
          orchestrator));
      processes.add(sweep);
      // A downed worker retries its join every 2 s (Akka's default is 10 s), so that once the link
      // is back it rejoins while work remains.
      Path rejoinQuickly = dir.resolve("netns-rejoin.conf");
      Files.writeString(rejoinQuickly, "akka.cluster { seed-node-timeout = 2s, retry-unsuccessful-join-after = 2s }\n");
      Map<String, Process> workers = new HashMap<>();
      for (String name : List.of("worker1", "worker2")) {
        Process worker = TestRuns.start(dir.resolve("netns-" + name + ".log"), inNamespace(net, name, List.of(
            "worker", "--join", seed, "--host", net.address(name), "--port", "25520", "--slots", "2", "--store",
            dir.resolve("netns-store-" + name).toString(), "--tls", certs.resolve(name).toString(),
            "--config", rejoinQuickly.toString())));
        processes.add(worker);
        workers.put("subspace@" + net.address(name) + ":25520", worker);
      }
      Process plaintextJoiner = TestRuns.start(dir.resolve("netns-rogue-plain.log"), inNamespace(net, "rogue",
          List.of("worker", "--join", seed, "--host", net.address("rogue"), "--insecure", "--join-timeout", "8",
              "--store", dir.resolve("netns-rogue-store").toString())));
      Process wrongRole = TestRuns.start(dir.resolve("netns-rogue-role.log"), inNamespace(net, "rogue",
          List.of("worker", "--join", seed, "--host", net.address("rogue"), "--port", "25521", "--store",
              dir.resolve("netns-rogue-store").toString(), "--tls", certs.resolve("orchestrator").toString())));
      processes.addAll(List.of(plaintextJoiner, wrongRole));

      Map<String, Object> first = waitForEvent(out, e -> "stage-checkpoint".equals(e.get("event"))
          && "train".equals(e.get("kind")));
      String trainer = String.valueOf(first.get("worker"));
      String trainerNode = trainer.equals("subspace@" + net.address("worker1") + ":25520") ? "worker1" : "worker2";
      long shortCut = System.currentTimeMillis();
      net.link(trainerNode, false);
      Thread.sleep(1000);
      net.link(trainerNode, true);
      Map<String, Object> later = waitForEvent(out, e -> "stage-checkpoint".equals(e.get("event"))
          && "train".equals(e.get("kind")) && ((Number) e.get("position")).longValue() >= 75);
      assertEquals(trainer, later.get("worker"), "the training stayed where it was through the short cut");
      long longCut = System.currentTimeMillis();
      net.link(trainerNode, false);
      Thread.sleep(10_000);
      net.link(trainerNode, true);
      long healed = System.currentTimeMillis();

      assertTrue(sweep.waitFor(240, TimeUnit.SECONDS), "the sweep finishes");
      assertEquals(0, sweep.exitValue());
      assertTrue(plaintextJoiner.waitFor(60, TimeUnit.SECONDS));
      assertEquals(2, plaintextJoiner.exitValue(), "a plaintext node cannot join the TLS cluster");
      assertTrue(Files.readString(dir.resolve("netns-rogue-plain.log")).contains("no orchestrator answered"));
      assertTrue(wrongRole.waitFor(60, TimeUnit.SECONDS));
      assertEquals(2, wrongRole.exitValue());
      assertTrue(Files.readString(dir.resolve("netns-rogue-role.log"))
          .contains("is a certificate for orchestrator, not for this node's role worker"));

      List<Map<String, Object>> events = EventLog.read(out.resolve("events.jsonl"));
      assertTrue(events.stream().noneMatch(e -> "stage-reassigned".equals(e.get("event"))
          && ((Number) e.get("time")).longValue() < longCut), "nothing was reassigned for the 1 s cut");
      assertTrue(events.stream().anyMatch(e -> "stage-started".equals(e.get("event")) && "train".equals(e.get("kind"))
          && ((Number) e.get("time")).longValue() > longCut && !trainer.equals(e.get("worker"))),
          "the training moved to the other worker during the long cut");
      assertTrue(events.stream().anyMatch(e -> "stage-started".equals(e.get("event"))
          && ((Number) e.get("time")).longValue() > healed && trainer.equals(e.get("worker"))),
          "the cut worker rejoined and took work again; its log:\n"
              + Files.readString(dir.resolve("netns-" + trainerNode + ".log")));
      String trainerLog = Files.readString(dir.resolve("netns-" + trainerNode + ".log"));
      assertTrue(trainerLog.split(" joining ", -1).length - 1 >= 2, "the cut worker was downed and started afresh");
      TestRuns.assertEveryStageDoneOnce(out, 26);
      assertEachAttemptStartedOnceWithinSlots(events, 2);
      assertEquals(reference, TestRuns.resultsWithoutTimings(out));
      System.out.printf("netns: long cut %d ms after the short one; %d attempts in all%n", longCut - shortCut,
          events.stream().filter(e -> "stage-started".equals(e.get("event"))).count());
    } finally {
      processes.forEach(Process::destroyForcibly);
      for (Process process : processes) {
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static List<String> inNamespace(TestNetwork net, String node, List<String> args) {
    return net.inside(node, TestRuns.command(1, args));
  }

  /**
   * From the event log: each attempt of each stage started on one worker, once; and no worker
   * ever held more than {@code slots} attempts at a time, replayed on the scheduler's own clock:
   * an attempt holds its slot from when the scheduler heard it start to when it heard it succeed
   * ({@code heard}), or until its retry or reassignment was logged (later, if anything, than the
   * slot was freed). The scheduler frees a slot before it hands it out again, so on that clock two
   * attempts of one slot never overlap.
   */
  private static void assertEachAttemptStartedOnceWithinSlots(List<Map<String, Object>> events, int slots) {
    Map<String, String> workerOf = new HashMap<>();
    Map<String, long[]> spans = new HashMap<>();
    long last = 0;
    for (Map<String, Object> e : events) {
      String attempt = e.get("key") + "#" + e.get("attempt");
      String event = String.valueOf(e.get("event"));
      long time = ((Number) e.get("time")).longValue();
      last = Math.max(last, time);
      if (event.equals("stage-started")) {
        assertEquals(null, workerOf.put(attempt, String.valueOf(e.get("worker"))), attempt + " started twice");
        spans.put(attempt, new long[] {((Number) e.get("heard")).longValue(), Long.MAX_VALUE});
      } else if (spans.containsKey(attempt) && spans.get(attempt)[1] == Long.MAX_VALUE) {
        if (event.equals("stage-done")) {
          spans.get(attempt)[1] = ((Number) e.get("heard")).longValue();
        } else if (event.equals("stage-retry") || event.equals("stage-reassigned")) {
          spans.get(attempt)[1] = time;
        }
      }
    }
    for (String worker : new HashSet<>(workerOf.values())) {
      List<long[]> edges = new ArrayList<>();
      StringBuilder attempts = new StringBuilder();
      for (Map.Entry<String, long[]> span : spans.entrySet()) {
        if (worker.equals(workerOf.get(span.getKey()))) {
          attempts.append(String.format("%n  %s %d..%d", span.getKey(), span.getValue()[0], span.getValue()[1]));
          edges.add(new long[] {span.getValue()[0], 1});
          edges.add(new long[] {Math.min(span.getValue()[1], last), -1});
        }
      }
      // At equal times an end comes before a start.
      edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
      int held = 0;
      for (long[] edge : edges) {
        held += (int) edge[1];
        assertTrue(held <= slots, worker + " computed " + held + " attempts at once:" + attempts);
      }
    }
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
