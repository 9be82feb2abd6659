package org.subspace.orchestrator.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.SerializationTestKit;
import akka.actor.typed.ActorRef;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.jackson.JacksonCborSerializer;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.subspace.orchestrator.runtime.SchedulerProtocol;
import org.subspace.protocol.Sha256;
import org.subspace.protocol.spec.CurveFitSpec;
import org.subspace.protocol.spec.CurveSpec;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.spec.EvaluateSpec;
import org.subspace.protocol.spec.EvaluationSpec;
import org.subspace.protocol.spec.InferenceSpec;
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
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.stage.WorkerProtocol;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.Architecture;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.protocol.vocabulary.DataSource;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.protocol.vocabulary.ImageFormat;
import org.subspace.protocol.vocabulary.Method;
import org.subspace.protocol.vocabulary.RandomScale;
import org.subspace.protocol.vocabulary.Schedule;
import org.subspace.protocol.vocabulary.Separator;
import org.subspace.protocol.vocabulary.SplitKind;
import org.subspace.protocol.vocabulary.SubspaceKind;
import org.subspace.workers.actors.ArtifactFetch;
import org.subspace.workers.actors.ArtifactServer;
import org.subspace.workers.store.ArtifactStore;

/** Every message type survives Akka's serialization, through the serializer it is bound to. */
class MessageSerializationTest {
  private static final ActorTestKit KIT = ActorTestKit.create(ConfigFactory.parseString(
      "akka.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
  private static final Serialization SERIALIZATION = SerializationExtension.get(KIT.system());

  private static final DataSpec DATA = new DataSpec("boston", DataSource.TABLE, "../shared/data/uci/boston/data.txt",
      "c".repeat(64), Separator.WHITESPACE, 0, -1, List.of(3, 5), FeatureMap.RAW, true, SplitKind.REFERENCE, 400, 200,
      0, null);
  private static final DataSpec IMAGES = new DataSpec("digits", DataSource.IMAGES, "../shared/data/digits",
      "d".repeat(64), Separator.WHITESPACE, 0, -1, List.of(), FeatureMap.RAW, true, SplitKind.HELD_OUT, 400, 200, 0,
      new DataSpec.Images(ImageFormat.OPTDIGITS, 8000, false));
  private static final ModelSpec MODEL = new ModelSpec(Architecture.MLP, List.of(50), Activation.RELU,
      Head.HETEROSCEDASTIC);
  private static final Problem PROBLEM = new Problem(DATA, "3", MODEL);
  private static final TrainingSpec TRAINING = new TrainingSpec(300, 30, 1e-3, Schedule.CONSTANT, 1e-3, 0.9, 0.1,
      1.0, 200, 20);
  private static final InferenceSpec INFERENCE = new InferenceSpec(1.0, 1.6487, 30, 0, 1,
      new InferenceSpec.Variational(30, 30, 0.01, -3, 1), 0.5, new InferenceSpec.Hamiltonian(200, 0.8, 20, 8));
  private static final EvaluationSpec EVALUATION =
      new EvaluationSpec(30, new EvaluationSpec.GridSpec(false, -10, 10, 100), 10);
  private static final SubspacePosterior POSTERIOR = new SubspacePosterior(PROBLEM,
      new SubspaceSpec(SubspaceKind.RANDOM, 10, 7, RandomScale.PCA), 1.0, 1.5, 1.6487);
  private static final ArtifactRef REF = new ArtifactRef("ab".repeat(32), ArtifactKind.SUBSPACE, 1234,
      Map.of("mean", List.of(803L), "projection", List.of(20L, 803L)));

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  static Stream<Object> cborMessages() {
    return cborMessages(KIT);
  }

  /** One of every message type that travels between nodes, with actor references from {@code kit}. */
  static Stream<Object> cborMessages(ActorTestKit kit) {
    ActorRef<StageEvent> events = kit.<StageEvent>createTestProbe().getRef();
    ActorRef<WorkerProtocol.Command> worker = kit.<WorkerProtocol.Command>createTestProbe().getRef();
    ActorRef<ArtifactStoreProtocol.Command> store = kit.<ArtifactStoreProtocol.Command>createTestProbe().getRef();
    Stage.Train train = new Stage.Train("k1", new TrainSpec(PROBLEM, TRAINING, 7));
    StageEvent.Succeeded succeeded = new StageEvent.Succeeded("k1", 2, List.of(REF), Map.of("test_ll", -2.5), 1.25);
    return Stream.of(
        train,
        new Stage.BuildSubspace("k2", new SubspaceSpec(SubspaceKind.PCA, 20, 7, null), REF),
        new Stage.BuildSubspace("k10", new SubspaceSpec(SubspaceKind.CURVE, 2, 7, null), REF),
        new Stage.FitCurve("k7", new CurveFitSpec(PROBLEM, new CurveSpec(300, 30, 0.01, 0.9, 0.0), 7), REF, REF),
        new Stage.Sample("k8", new SampleSpec.Nuts(POSTERIOR, 30, new SampleSpec.StepSizeAdaptation(200, 0.8), 8, 3L),
            REF),
        new Stage.Sample("k12", new SampleSpec.Hmc(POSTERIOR, 30, new SampleSpec.StepSizeAdaptation(200, 0.8), 20, 3L),
            REF),
        new Stage.Sample("k3", new SampleSpec.Ess(POSTERIOR, 30, 0, 1, -42L), REF),
        new Stage.Sample("k11", new SampleSpec.Variational(POSTERIOR, Method.VI_FULL, 30, 30, 30, 0.01, -3, 5L), REF),
        new Stage.Evaluate("k4", new EvaluateSpec(PROBLEM, Method.ESS, 10, 1.0, EVALUATION, -42L), REF, REF),
        new Stage.Evaluate("k5", new EvaluateSpec(PROBLEM, Method.SGD, 0, 1.0, EVALUATION, 1L), null, REF),
        new Stage.Sample("k6", new SampleSpec.Swag(30, 0.5, 9L), REF),
        new WorkerProtocol.RunStage(train, 3, REF, new CheckpointPolicy(100, 200, 2), 1, store, events,
            Duration.ofSeconds(40), Duration.ofMinutes(30)),
        new WorkerProtocol.RunStage(train, 1, null, new CheckpointPolicy(5, 7, 1), -1, store, events,
            Duration.ofMillis(1500), Duration.ofSeconds(20)),
        new WorkerProtocol.CancelStage("k1", 2, events),
        new Stage.Train("k9", new TrainSpec(new Problem(IMAGES, "held-out",
            new ModelSpec(Architecture.CNN_SMALL, List.of(), Activation.RELU, Head.MEAN)), TRAINING, 3)),
        new WorkerProtocol.DescribeResources(kit.<WorkerProtocol.Resources>createTestProbe().getRef(), 7),
        new WorkerProtocol.Resources("worker-1", worker, 2, List.of(0, 1), store, List.of(), 1),
        new WorkerProtocol.Resources("worker-1", worker, 2, List.of(0, 1), store,
            List.of(new WorkerProtocol.RunningAttempt("k1", 2, -1, events),
                new WorkerProtocol.RunningAttempt("k2", 1, 1, events)), 8),
        new StageEvent.Started("k1", 1, "worker-1"),
        new StageEvent.Heartbeat("k1", 1),
        new StageEvent.Progress("k1", 1, 10, 300, "loss 0.9"),
        new StageEvent.Checkpointed("k1", 1, REF, 100),
        succeeded,
        new StageEvent.Failed("k1", 1, "IllegalStateException: boom", true),
        REF,
        new StageManifest("k1", StageKind.TRAIN, List.of(REF), Map.of("final_loss", 0.9), 3.5, 1),
        new ArtifactStoreProtocol.Fetch(REF, kit.<ArtifactStoreProtocol.FetchResult>createTestProbe().getRef()),
        new ArtifactStoreProtocol.ArtifactMissing(REF, "gone"),
        new ArtifactStoreProtocol.Offer(REF, "10.0.0.7", 25521, "ab".repeat(32)),
        new SchedulerProtocol.Submit(train, REF),
        new SchedulerProtocol.Forget(List.of("a".repeat(64), "b".repeat(64))),
        new SchedulerProtocol.Submit(train, null, "the outputs of attempt 1 died with worker w"),
        new SchedulerProtocol.Reassigned("k1", 2, "worker w left", 100),
        new SchedulerProtocol.Forwarded(succeeded, "worker-2", Double.NaN, 1_700_000_000_000L, store),
        new SchedulerProtocol.Forwarded(new StageEvent.Started("k1", 1, "worker-2"), "worker-2", 1.25,
            1_700_000_000_001L, store),
        new SchedulerProtocol.Retrying("k1", 1, "boom", 200, 100),
        new SchedulerProtocol.GaveUp("k1", 3, "boom", 0),
        new SchedulerProtocol.GaveUp("k1", 3, "worker w is unreachable", 2),
        new SchedulerProtocol.StorageFailed("k1", "worker-2", "disk full: cannot write x"));
  }

  /** Serializes and deserializes as a remote transport would (ActorRefs need the system's address). */
  private static Object roundTrip(Object message) {
    return new SerializationTestKit(KIT.system()).verifySerialization(message, false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cborMessages")
  void roundTripsThroughJacksonCbor(Object message) {
    assertInstanceOf(JacksonCborSerializer.class, SERIALIZATION.findSerializerFor(message), message.toString());
    assertEquals(message, roundTrip(message));
  }

  @Test
  void javaSerializationIsOff() {
    assertThrows(Exception.class, () -> SERIALIZATION.serialize(new java.util.ArrayList<>(List.of(1))).get());
  }

  @Test
  void aMultiChunkArtifactIsFetchedVerifiedAndMissingOnesAreReported(@TempDir Path dir) throws Exception {
    ArtifactStore store = new ArtifactStore(dir);
    float[] values = new float[3_000_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) Math.sin(i);
    }
    ArtifactRef stored = store.putTensors(ArtifactKind.SUBSPACE, Map.of("mean", Tensor.of(values, values.length)));
    assertTrue(stored.bytes() > 5 << 20, "several chunks of the sender");
    ActorRef<ArtifactStoreProtocol.Command> server = KIT.spawn(ArtifactServer.create(store));
    ArtifactStore target = new ArtifactStore(dir.resolve("target"));
    ArtifactFetch fetch = ArtifactFetch.get(KIT.system());
    assertEquals(stored, fetch.fetch(server, stored, target).toCompletableFuture().get(60, TimeUnit.SECONDS));
    assertEquals(stored.sha256(), Sha256.hex(target.verifiedFile(stored)));
    ExecutionException missing = assertThrows(ExecutionException.class,
        () -> fetch.fetch(server, REF, target).toCompletableFuture().get(60, TimeUnit.SECONDS));
    assertTrue(missing.getCause().getMessage().contains("not in the store"), missing.getCause().getMessage());
    assertTrue(missing.getCause().getMessage().contains("after 3 tries"), missing.getCause().getMessage());
  }
}
