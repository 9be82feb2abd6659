package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cluster.ClusterConfig;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.protocol.Sha256;
import org.subspace.workers.actors.ArtifactFetch;
import org.subspace.workers.actors.ArtifactServer;
import org.subspace.workers.random.Rng;
import org.subspace.workers.stages.Codecs;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.train.SwagMoments;
import org.subspace.workers.train.TrainingState;

/** What crosses between nodes: large artifacts over Artery, and only nodes with a valid certificate. */
class ClusterTransportTest {
  @TempDir Path dir;

  private static Config node(String role, int port, int seed, Path tls) {
    return ClusterConfig.node(role, "127.0.0.1", port, "127.0.0.1:" + seed, tls, null);
  }

  @Test
  void aProjectionAndACheckpointOfOverTenMegabytesCrossNodesIntact() throws Exception {
    int seed = TestRuns.freePort();
    ActorSystem<Void> a = ActorSystem.create(Behaviors.empty(), "subspace", node("orchestrator", seed, seed, null));
    ActorSystem<Void> b = ActorSystem.create(Behaviors.empty(), "subspace", node("worker", 0, seed, null));
    try {
      ArtifactStore storeA = new ArtifactStore(dir.resolve("a"));
      ArtifactStore storeB = new ArtifactStore(dir.resolve("b"));
      Rng rng = new Rng(1);
      int p = 200_000;
      float[] projection = new float[20 * p];
      for (int i = 0; i < projection.length; i++) {
        projection[i] = (float) rng.nextGaussian();
      }
      ArtifactRef subspace = storeA.putTensors(ArtifactKind.SUBSPACE, Map.of("projection", Tensor.of(projection, 20, p),
          "mean", Tensor.of(new float[p], p), "singular_values", Tensor.of(new double[20], 20)));
      SwagMoments moments = new SwagMoments(p, 10);
      float[] w = new float[p];
      for (int k = 0; k < 12; k++) {
        for (int i = 0; i < p; i++) {
          w[i] = (float) rng.nextGaussian();
        }
        moments.collect(w);
      }
      ArtifactRef checkpoint = storeA.putTensors(ArtifactKind.TRAIN_CHECKPOINT,
          Codecs.trainingState(new TrainingState(12, w.clone(), w.clone(), moments, 0.5)));
      assertTrue(subspace.bytes() > 10_000_000 && checkpoint.bytes() > 10_000_000,
          subspace.bytes() + " and " + checkpoint.bytes() + " bytes");

      ActorRef<ArtifactStoreProtocol.Command> server = a.systemActorOf(ArtifactServer.create(storeA), "artifacts",
          Props.empty());
      // B sees A's server as a remote reference, as a worker sees the orchestrator's.
      ActorRef<ArtifactStoreProtocol.Command> remote = ActorRefResolver.get(b)
          .resolveActorRef(ActorRefResolver.get(a).toSerializationFormat(server));
      for (ArtifactRef ref : List.of(subspace, checkpoint)) {
        long start = System.nanoTime();
        ArtifactFetch.get(b).fetchInto(remote, ref, storeB);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %.1f MB in %.2f s = %.0f MB/s%n", ref.kind(), ref.bytes() / 1e6, seconds,
            ref.bytes() / 1e6 / seconds);
        assertEquals(Sha256.hex(storeA.verifiedFile(ref)), Sha256.hex(storeB.verifiedFile(ref)));
      }
      assertArrayEquals(projection, storeB.readTensors(subspace).get("projection").floats());
    } finally {
      a.terminate();
      b.terminate();
      a.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      b.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aNodeWithACertificateFromAnotherAuthorityCannotJoin() throws Exception {
    Path certs = dir.resolve("certs");
    Path foreign = dir.resolve("foreign");
    for (List<String> args : List.of(List.of(certs.toString(), "orchestrator", "worker"),
        List.of(foreign.toString(), "intruder"))) {
      List<String> command = new ArrayList<>(List.of("bash", "config/cluster/make-test-certs.sh"));
      command.addAll(args);
      Process make = new ProcessBuilder(command).redirectErrorStream(true).start();
      make.getInputStream().readAllBytes();
      assertEquals(0, make.waitFor(), "make-test-certs.sh " + args);
    }
    int seed = TestRuns.freePort();
    ActorSystem<Void> orchestrator = ActorSystem.create(Behaviors.empty(), "subspace",
        node("orchestrator", seed, seed, certs.resolve("orchestrator")));
    ActorSystem<Void> worker = ActorSystem.create(Behaviors.empty(), "subspace",
        node("worker", 0, seed, certs.resolve("worker")));
    ActorSystem<Void> intruder = ActorSystem.create(Behaviors.empty(), "subspace",
        node("worker", 0, seed, foreign.resolve("intruder")));
    try {
      Cluster cluster = Cluster.get(orchestrator);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (upMembers(cluster) < 2 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(2, upMembers(cluster), "the worker with a certificate from the cluster's CA joined");
      // Give the intruder as long again as the worker needed, and more.
      Thread.sleep(5000);
      assertEquals(2, upMembers(cluster), "the node with a foreign certificate did not join");
      assertTrue(StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
          .noneMatch(m -> m.address().equals(intruder.address())));
      assertTrue(Cluster.get(intruder).selfMember().status() != MemberStatus.up());
    } finally {
      for (ActorSystem<Void> system : List.of(orchestrator, worker, intruder)) {
        system.terminate();
      }
      for (ActorSystem<Void> system : List.of(orchestrator, worker, intruder)) {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static long upMembers(Cluster cluster) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }
}
