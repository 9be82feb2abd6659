package org.subspace.orchestrator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import akka.actor.testkit.typed.FishingOutcome;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.spec.ModelSpec;
import org.subspace.protocol.spec.Problem;
import org.subspace.protocol.spec.TrainSpec;
import org.subspace.protocol.spec.TrainingSpec;
import org.subspace.protocol.stage.CheckpointPolicy;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.stage.StageEvent;
import org.subspace.protocol.stage.WorkerProtocol;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.Architecture;
import org.subspace.protocol.vocabulary.DataSource;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.protocol.vocabulary.Schedule;
import org.subspace.protocol.vocabulary.Separator;
import org.subspace.protocol.vocabulary.SplitKind;
import org.subspace.workers.actors.FaultInjector;
import org.subspace.workers.actors.WorkerNode;
import org.subspace.workers.stages.StageExecutor;
import org.subspace.workers.store.ArtifactStore;

/**
 * A real worker node running a real (endless) training: it acknowledges the attempt, renews its
 * lease with heartbeats between sparse progress reports, reports it as running, and on a
 * cancel stops at the next epoch, says so, and reports its slot free. And one whose training
 * hangs for good half-way: its heartbeats stop once it has passed no epoch for the hang timeout,
 * and its slot stays taken.
 */
class StageCancellationTest {
  private static final DataSpec DATA = new DataSpec("toy", DataSource.GENERATED_TOY, null, "", Separator.WHITESPACE,
      0, -1, List.of(), FeatureMap.TOY_QUADRATIC, false, SplitKind.HELD_OUT, 20, 5, 0, null);
  private static final Problem PROBLEM =
      new Problem(DATA, "held-out", new ModelSpec(Architecture.MLP, List.of(4), Activation.RELU, Head.MEAN));

  private static final Duration HANG_TIMEOUT = Duration.ofSeconds(2);

  private ActorTestKit kit;

  /** The engine loads once per JVM, in seconds: not within an attempt's first epoch, where it would look hung. */
  @BeforeAll
  static void loadEngine() {
    Engine.getInstance();
  }

  @BeforeEach
  void start() {
    // Our dispatchers and mailboxes, and every message through its serializer as between nodes.
    kit = ActorTestKit.create(ConfigFactory.parseString("akka.actor.serialize-messages = on")
        .withFallback(ConfigFactory.load()));
  }

  @AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  @Test
  void aCancelledAttemptStopsAtItsNextEpochAndFreesItsSlot(@TempDir Path dir) {
    ActorRef<WorkerProtocol.Command> node = node(dir, FaultInjector.NONE);
    // Far more epochs than the test waits for, reported every 50 000 and never checkpointed.
    TestProbe<StageEvent> events = kit.createTestProbe();
    runFirstAttempt(node, "endless", 1_000_000, events);
    assertEquals(new StageEvent.Started("endless", 1, "w"), events.expectMessageClass(StageEvent.Started.class));
    // Its epochs pass boundaries, so heartbeats go on well past the hang timeout.
    long start = System.nanoTime();
    while (System.nanoTime() - start < 3 * HANG_TIMEOUT.toNanos()) {
      assertEquals(new StageEvent.Heartbeat("endless", 1),
          events.fishForMessage(Duration.ofSeconds(5), e -> fish(e instanceof StageEvent.Heartbeat)).get(0));
    }
    TestProbe<WorkerProtocol.Resources> resources = kit.createTestProbe();
    node.tell(new WorkerProtocol.DescribeResources(resources.getRef(), 1));
    assertEquals(List.of(new WorkerProtocol.RunningAttempt("endless", 1, -1, events.getRef())),
        resources.receiveMessage().running());

    // A cancel for another scheduler's attempt of the same stage changes nothing.
    node.tell(new WorkerProtocol.CancelStage("endless", 1, kit.<StageEvent>createTestProbe().getRef()));
    node.tell(new WorkerProtocol.DescribeResources(resources.getRef(), 2));
    assertEquals(1, resources.receiveMessage().running().size());

    node.tell(new WorkerProtocol.CancelStage("endless", 1, events.getRef()));
    StageEvent.Failed failed = (StageEvent.Failed) events.fishForMessage(Duration.ofSeconds(30),
        e -> fish(e instanceof StageEvent.Failed)).get(0);
    assertEquals("attempt 1 of endless was cancelled", failed.error());
    node.tell(new WorkerProtocol.DescribeResources(resources.getRef(), 3));
    WorkerProtocol.Resources after = resources.receiveMessage();
    assertEquals(List.of(), after.running());
    assertEquals(3, after.request());
    // No more heartbeats once it has stopped.
    events.expectNoMessage(Duration.ofMillis(400));
  }

  @Test
  void anAttemptHungInACallThatNeverReturnsStopsRenewingItsLeaseAndKeepsItsSlot(@TempDir Path dir) {
    // The first training attempt hangs at half-way for good, deaf to cancellation.
    FaultInjector hang = new FaultInjector(0, 1, List.of(), List.of(), List.of(), List.of("train"));
    ActorRef<WorkerProtocol.Command> node = node(dir, hang);
    TestProbe<StageEvent> events = kit.createTestProbe();
    runFirstAttempt(node, "hangs", 40, events);
    events.expectMessageClass(StageEvent.Started.class);
    // Heartbeats until the hang timeout has passed since its last epoch, then silence.
    int heartbeats = 0;
    long deadline = System.nanoTime() + 20 * HANG_TIMEOUT.toNanos();
    while (true) {
      StageEvent event;
      try {
        event = events.receiveMessage(HANG_TIMEOUT.multipliedBy(2));
      } catch (AssertionError quiet) {
        break;
      }
      heartbeats += event instanceof StageEvent.Heartbeat ? 1 : 0;
      assertTrue(System.nanoTime() < deadline, "heartbeats went on for 20 hang timeouts");
    }
    assertTrue(heartbeats >= 5, "it was renewed until it had been silent a hang timeout: " + heartbeats);
    // Its thread never comes back, cancelled or not: the node keeps counting its slot as taken.
    node.tell(new WorkerProtocol.CancelStage("hangs", 1, events.getRef()));
    TestProbe<WorkerProtocol.Resources> resources = kit.createTestProbe();
    node.tell(new WorkerProtocol.DescribeResources(resources.getRef(), 1));
    assertEquals(List.of(new WorkerProtocol.RunningAttempt("hangs", 1, -1, events.getRef())),
        resources.receiveMessage().running());
    events.expectNoMessage(HANG_TIMEOUT);
  }

  private ActorRef<WorkerProtocol.Command> node(Path store, FaultInjector faults) {
    return kit.spawn(WorkerNode.create("w", 1, List.of(), new StageExecutor(new ArtifactStore(store)), faults));
  }

  /** Attempt 1 of a toy training of {@code epochs} epochs, never checkpointed, heartbeats every 100 ms. */
  private void runFirstAttempt(ActorRef<WorkerProtocol.Command> node, String key, int epochs,
      TestProbe<StageEvent> events) {
    Stage.Train training = new Stage.Train(key, new TrainSpec(PROBLEM,
        new TrainingSpec(epochs, 5, 0.01, Schedule.CONSTANT, 0.01, 0.9, 0, 1, epochs - 10, 2), 1));
    node.tell(new WorkerProtocol.RunStage(training, 1, null, new CheckpointPolicy(epochs, 10, 2), -1,
        kit.<ArtifactStoreProtocol.Command>createTestProbe().getRef(), events.getRef(), Duration.ofMillis(100),
        HANG_TIMEOUT));
  }

  private static FishingOutcome fish(boolean found) {
    return found ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
  }
}
