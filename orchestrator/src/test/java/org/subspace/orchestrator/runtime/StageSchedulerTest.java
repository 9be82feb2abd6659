package org.subspace.orchestrator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.spec.ModelSpec;
import org.subspace.protocol.spec.Problem;
import org.subspace.protocol.spec.SampleSpec;
import org.subspace.protocol.spec.SubspacePosterior;
import org.subspace.protocol.spec.SubspaceSpec;
import org.subspace.protocol.spec.TrainSpec;
import org.subspace.protocol.spec.TrainingSpec;
import org.subspace.protocol.stage.CheckpointPolicy;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.stage.StageEvent;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.WorkerProtocol;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.Architecture;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.protocol.vocabulary.DataSource;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.protocol.vocabulary.Schedule;
import org.subspace.protocol.vocabulary.Separator;
import org.subspace.protocol.vocabulary.SplitKind;
import org.subspace.protocol.vocabulary.SubspaceKind;
import org.subspace.workers.actors.FaultInjector;
import org.subspace.workers.actors.WorkerNode;

/** The scheduler against scripted workers: slots, GPU placement, retries from checkpoints, stale events. */
class StageSchedulerTest {
  /** A fresh actor system per test, so no scheduler sees another test's workers. */
  private ActorTestKit kit;
  private static final DataSpec DATA = new DataSpec("toy", DataSource.GENERATED_TOY, null, "", Separator.WHITESPACE,
      0, -1, List.of(), FeatureMap.TOY_QUADRATIC, false, SplitKind.HELD_OUT, 10, 5, 0, null);
  private static final Problem PROBLEM =
      new Problem(DATA, "held-out", new ModelSpec(Architecture.MLP, List.of(4), Activation.RELU, Head.MEAN));
  private static final ArtifactRef SOME_REF = new ArtifactRef("a".repeat(64), ArtifactKind.SUBSPACE, 1, Map.of());

  @BeforeEach
  void start() {
    kit = ActorTestKit.create();
  }

  @AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  private static SweepSpec.RuntimeSpec runtime(Set<StageKind> gpuStages, int maxAttempts) {
    return runtime(gpuStages, maxAttempts, SweepSpec.LeaseSpec.DEFAULT);
  }

  private static SweepSpec.RuntimeSpec runtime(Set<StageKind> gpuStages, int maxAttempts, SweepSpec.LeaseSpec lease) {
    return new SweepSpec.RuntimeSpec(1, 1, List.of(0), gpuStages, maxAttempts, Duration.ofMillis(10),
        new CheckpointPolicy(10, 10, 2), lease, FaultInjector.NONE, new SweepSpec.MetricsSpec(false, "127.0.0.1", 0));
  }

  private static Stage.Train train(String key) {
    return new Stage.Train(key, new TrainSpec(PROBLEM,
        new TrainingSpec(10, 5, 0.01, Schedule.CONSTANT, 0.01, 0.9, 0, 1, 5, 2), 1));
  }

  private static Stage.Sample sample(String key) {
    SubspacePosterior posterior =
        new SubspacePosterior(PROBLEM, new SubspaceSpec(SubspaceKind.PCA, 2, 1, null), 1, 1.0, 1);
    return new Stage.Sample(key, new SampleSpec.Ess(posterior, 10, 0, 1, 1), SOME_REF);
  }

  /** A probe that registers as a worker with the given resources and answers the scheduler's question. */
  private TestProbe<WorkerProtocol.Command> worker(String id, int cpuSlots, List<Integer> gpus) {
    TestProbe<WorkerProtocol.Command> probe = kit.createTestProbe(id);
    kit.system().receptionist().tell(Receptionist.register(WorkerNode.SERVICE_KEY, probe.getRef()));
    return probe;
  }

  private void answer(TestProbe<WorkerProtocol.Command> probe, String id, int cpuSlots, List<Integer> gpus) {
    answer(probe, id, cpuSlots, gpus, List.of());
  }

  /** Answers the scheduler's question, saying the worker runs {@code running}. */
  private void answer(TestProbe<WorkerProtocol.Command> probe, String id, int cpuSlots, List<Integer> gpus,
      List<WorkerProtocol.RunningAttempt> running) {
    WorkerProtocol.DescribeResources ask = probe.expectMessageClass(WorkerProtocol.DescribeResources.class);
    ask.replyTo().tell(new WorkerProtocol.Resources(id, probe.getRef(), cpuSlots, gpus,
        kit.<ArtifactStoreProtocol.Command>createTestProbe().getRef(), running, ask.request()));
  }

  @Test
  void neverExceedsSlotsAndPutsGpuStagesOnGpus() {
    TestProbe<SchedulerProtocol.Report> reports = kit.createTestProbe();
    TestProbe<WorkerProtocol.Command> cpuOnly = worker("cpu-only", 1, List.of());
    TestProbe<WorkerProtocol.Command> withGpu = worker("with-gpu", 1, List.of(7));
    ActorRef<StageScheduler.Command> scheduler =
        kit.spawn(StageScheduler.create(runtime(Set.of(StageKind.TRAIN), 3), reports.getRef(),
            kit.<ArtifactStoreProtocol.Command>createTestProbe().getRef()));
    answer(cpuOnly, "cpu-only", 1, List.of());
    answer(withGpu, "with-gpu", 1, List.of(7));

    scheduler.tell(new SchedulerProtocol.Submit(train("t1"), null));
    scheduler.tell(new SchedulerProtocol.Submit(train("t2"), null));
    scheduler.tell(new SchedulerProtocol.Submit(sample("s1"), null));
    scheduler.tell(new SchedulerProtocol.Submit(sample("s2"), null));
    scheduler.tell(new SchedulerProtocol.Submit(sample("s3"), null));

    // One GPU: t1 on the GPU worker; its CPU slot and the CPU-only worker take s1 and s2.
    WorkerProtocol.RunStage t1 = withGpu.expectMessageClass(WorkerProtocol.RunStage.class);
    assertEquals("t1", t1.stage().key());
    WorkerProtocol.RunStage s2 = withGpu.expectMessageClass(WorkerProtocol.RunStage.class);
    WorkerProtocol.RunStage s1 = cpuOnly.expectMessageClass(WorkerProtocol.RunStage.class);
    assertEquals(Set.of("s1", "s2"), Set.of(s1.stage().key(), s2.stage().key()));
    cpuOnly.expectNoMessage(Duration.ofMillis(200));
    withGpu.expectNoMessage(Duration.ofMillis(50));

    // Freeing the GPU lets t2 run there, and t2 only: s3 still waits for a CPU slot.
    t1.replyTo().tell(new StageEvent.Succeeded("t1", 1, List.of(), Map.of(), 0.1));
    WorkerProtocol.RunStage t2 = withGpu.expectMessageClass(WorkerProtocol.RunStage.class);
    assertEquals("t2", t2.stage().key());
    cpuOnly.expectNoMessage(Duration.ofMillis(100));
    s1.replyTo().tell(new StageEvent.Succeeded(s1.stage().key(), 1, List.of(), Map.of(), 0.1));
    assertEquals("s3", cpuOnly.expectMessageClass(WorkerProtocol.RunStage.class).stage().key());
  }

  @Test
  void retriesFromTheLastCheckpointThenGivesUp() {
    TestProbe<SchedulerProtocol.Report> reports = kit.createTestProbe();
    TestProbe<WorkerProtocol.Command> node = worker("retry-node", 1, List.of());
    ActorRef<StageScheduler.Command> scheduler = kit.spawn(StageScheduler.create(runtime(Set.of(), 2), reports.getRef(),
        kit.<ArtifactStoreProtocol.Command>createTestProbe().getRef()));
    answer(node, "retry-node", 1, List.of());
    scheduler.tell(new SchedulerProtocol.Submit(sample("r1"), null));
    WorkerProtocol.RunStage first = node.expectMessageClass(WorkerProtocol.RunStage.class);
    assertNull(first.resumeFrom());
    ArtifactRef checkpoint = new ArtifactRef("b".repeat(64), ArtifactKind.CHAIN_CHECKPOINT, 3, Map.of());
    first.replyTo().tell(new StageEvent.Checkpointed("r1", 1, checkpoint, 5));
    first.replyTo().tell(new StageEvent.Failed("r1", 1, "boom", false));

    SchedulerProtocol.Forwarded forwarded = reports.expectMessageClass(SchedulerProtocol.Forwarded.class);
    assertEquals(StageEvent.Checkpointed.class, forwarded.event().getClass());
    SchedulerProtocol.Retrying retrying = reports.expectMessageClass(SchedulerProtocol.Retrying.class);
    assertEquals(5, retrying.resumePosition());
    WorkerProtocol.RunStage second = node.expectMessageClass(WorkerProtocol.RunStage.class);
    assertEquals(2, second.attempt());
    assertEquals(checkpoint, second.resumeFrom());

    // A late event of the first attempt is ignored; the second attempt's failure is final.
    first.replyTo().tell(new StageEvent.Succeeded("r1", 1, List.of(), Map.of(), 0.1));
    second.replyTo().tell(new StageEvent.Failed("r1", 2, "boom again", false));
    SchedulerProtocol.GaveUp gaveUp = reports.expectMessageClass(SchedulerProtocol.GaveUp.class);
    assertEquals(2, gaveUp.attempts());
    assertEquals("boom again", gaveUp.error());
  }

  @Test
  void prefersTheWorkerThatAlreadyHoldsTheInputs() {
    TestProbe<SchedulerProtocol.Report> reports = kit.createTestProbe();
    TestProbe<WorkerProtocol.Command> first = worker("first", 1, List.of());
    TestProbe<WorkerProtocol.Command> second = worker("second", 1, List.of());
    ActorRef<StageScheduler.Command> scheduler = kit.spawn(StageScheduler.create(runtime(Set.of(), 3),
        reports.getRef(), kit.<ArtifactStoreProtocol.Command>createTestProbe().getRef()));
    answer(first, "first", 1, List.of());
    answer(second, "second", 1, List.of());
    // Two trainings: one on each worker; the second worker's output is the subspace below.
    scheduler.tell(new SchedulerProtocol.Submit(train("t1"), null));
    scheduler.tell(new SchedulerProtocol.Submit(train("t2"), null));
    WorkerProtocol.RunStage onFirst = first.expectMessageClass(WorkerProtocol.RunStage.class);
    WorkerProtocol.RunStage onSecond = second.expectMessageClass(WorkerProtocol.RunStage.class);
    onFirst.replyTo().tell(new StageEvent.Succeeded(onFirst.stage().key(), 1, List.of(), Map.of(), 0.1));
    onSecond.replyTo().tell(new StageEvent.Succeeded(onSecond.stage().key(), 1, List.of(SOME_REF), Map.of(), 0.1));
    reports.expectMessageClass(SchedulerProtocol.Forwarded.class);
    reports.expectMessageClass(SchedulerProtocol.Forwarded.class);

    // Both workers are free; the chain reads SOME_REF, which the second worker made.
    scheduler.tell(new SchedulerProtocol.Submit(sample("s1"), null));
    assertEquals("s1", second.expectMessageClass(WorkerProtocol.RunStage.class).stage().key());
    first.expectNoMessage(Duration.ofMillis(100));
  }

  /**
   * Receives the worker's messages until the next RunStage, answering every resources request
   * with {@code running} and collecting cancels on the way.
   */
  private WorkerProtocol.RunStage nextRun(TestProbe<WorkerProtocol.Command> probe, String id,
      List<WorkerProtocol.RunningAttempt> running, List<WorkerProtocol.CancelStage> cancels) {
    while (true) {
      WorkerProtocol.Command message = probe.receiveMessage(Duration.ofSeconds(5));
      if (message instanceof WorkerProtocol.RunStage run) {
        return run;
      } else if (message instanceof WorkerProtocol.CancelStage cancel) {
        cancels.add(cancel);
      } else if (message instanceof WorkerProtocol.DescribeResources ask) {
        ask.replyTo().tell(new WorkerProtocol.Resources(id, probe.getRef(), 1, List.of(),
            kit.<ArtifactStoreProtocol.Command>createTestProbe().getRef(), running, ask.request()));
      }
    }
  }

  @Test
  void aWorkerThatRejoinsWhileRunningAStageIsNotDoubleBooked() {
    TestProbe<SchedulerProtocol.Report> reports = kit.createTestProbe();
    TestProbe<WorkerProtocol.Command> node = worker("rejoining", 1, List.of());
    ActorRef<StageScheduler.Command> scheduler = kit.spawn(StageScheduler.create(runtime(Set.of(), 3),
        reports.getRef(), kit.<ArtifactStoreProtocol.Command>createTestProbe().getRef()));
    answer(node, "rejoining", 1, List.of());
    scheduler.tell(new SchedulerProtocol.Submit(train("t1"), null));
    WorkerProtocol.RunStage first = node.expectMessageClass(WorkerProtocol.RunStage.class);
    first.replyTo().tell(new StageEvent.Started("t1", 1, "rejoining"));
    reports.expectMessageClass(SchedulerProtocol.Forwarded.class);

    // The worker drops out of the listing (a network hiccup): its attempt is lost and queued again.
    kit.system().receptionist().tell(Receptionist.deregister(WorkerNode.SERVICE_KEY, node.getRef()));
    SchedulerProtocol.Reassigned reassigned = reports.expectMessageClass(SchedulerProtocol.Reassigned.class);
    assertEquals(1, reassigned.lostAttempt());
    assertEquals("worker rejoining left", reassigned.reason());
    scheduler.tell(new SchedulerProtocol.Submit(sample("s1"), null));

    // It comes back, still running the first attempt: its one slot is busy, so nothing more goes
    // there, and the attempt no one wants is cancelled.
    kit.system().receptionist().tell(Receptionist.register(WorkerNode.SERVICE_KEY, node.getRef()));
    answer(node, "rejoining", 1, List.of(), List.of(new WorkerProtocol.RunningAttempt("t1", 1, -1, first.replyTo())));
    WorkerProtocol.CancelStage cancel = node.expectMessageClass(WorkerProtocol.CancelStage.class);
    assertEquals("t1", cancel.key());
    assertEquals(1, cancel.attempt());
    assertEquals(first.replyTo(), cancel.replyTo());
    node.expectNoMessage(Duration.ofMillis(300));

    // Once the cancelled attempt has stopped, the slot takes the stage's next attempt, and only that.
    first.replyTo().tell(new StageEvent.Failed("t1", 1, "attempt 1 of t1 was cancelled", false));
    WorkerProtocol.RunStage second = node.expectMessageClass(WorkerProtocol.RunStage.class);
    assertEquals("t1", second.stage().key());
    assertEquals(2, second.attempt());
    node.expectNoMessage(Duration.ofMillis(200));
    reports.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void unacknowledgedAndSilentAttemptsLoseTheirLeasesAndCountAsAttempts() {
    TestProbe<SchedulerProtocol.Report> reports = kit.createTestProbe();
    TestProbe<WorkerProtocol.Command> node = worker("silent", 1, List.of());
    SweepSpec.LeaseSpec lease =
        new SweepSpec.LeaseSpec(Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMinutes(1));
    ActorRef<StageScheduler.Command> scheduler = kit.spawn(StageScheduler.create(runtime(Set.of(), 3, lease),
        reports.getRef(), kit.<ArtifactStoreProtocol.Command>createTestProbe().getRef()));
    answer(node, "silent", 1, List.of());
    scheduler.tell(new SchedulerProtocol.Submit(train("t1"), null));
    WorkerProtocol.RunStage first = node.expectMessageClass(WorkerProtocol.RunStage.class);
    assertEquals(Duration.ofMillis(800).dividedBy(3), first.heartbeat());

    // Never acknowledged (the RunStage was lost): cancelled where it might run, then run again.
    List<WorkerProtocol.CancelStage> cancels = new ArrayList<>();
    WorkerProtocol.RunStage second = nextRun(node, "silent", List.of(), cancels);
    assertEquals(2, second.attempt());
    assertTrue(cancels.stream().anyMatch(c -> c.attempt() == 1), "the first attempt was cancelled");
    SchedulerProtocol.Reassigned lost = reports.expectMessageClass(SchedulerProtocol.Reassigned.class);
    assertEquals("no acknowledgement from worker silent within 400 ms", lost.reason());

    // Acknowledged, then silent (its result was lost): the lease expires.
    second.replyTo().tell(new StageEvent.Started("t1", 2, "silent"));
    reports.expectMessageClass(SchedulerProtocol.Forwarded.class);
    WorkerProtocol.RunStage third = nextRun(node, "silent", List.of(), cancels);
    assertEquals(3, third.attempt());
    assertEquals("lease expired: nothing from worker silent for 800 ms",
        reports.expectMessageClass(SchedulerProtocol.Reassigned.class).reason());

    // Heartbeats keep a lease however long the attempt runs...
    third.replyTo().tell(new StageEvent.Started("t1", 3, "silent"));
    reports.expectMessageClass(SchedulerProtocol.Forwarded.class);
    for (int i = 0; i < 8; i++) {
      third.replyTo().tell(new StageEvent.Heartbeat("t1", 3));
      node.expectNoMessage(Duration.ofMillis(250));
    }
    reports.expectNoMessage(Duration.ofMillis(10));
    // ...and when they stop, the third lost attempt is the last.
    SchedulerProtocol.GaveUp gaveUp = reports.expectMessageClass(SchedulerProtocol.GaveUp.class, Duration.ofSeconds(3));
    assertEquals(3, gaveUp.attempts());
    assertEquals(3, gaveUp.lostWorkers());
    assertEquals("lease expired: nothing from worker silent for 800 ms", gaveUp.error());
  }
}
