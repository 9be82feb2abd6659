package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cluster.ClusterConfig;
import org.subspace.orchestrator.cluster.RoleGuard;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.stage.WorkerProtocol;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.protocol.Sha256;
import org.subspace.workers.actors.ArtifactFetch;
import org.subspace.workers.actors.ArtifactServer;
import org.subspace.workers.actors.FaultInjector;
import org.subspace.workers.actors.WorkerNode;
import org.subspace.workers.random.Rng;
import org.subspace.workers.stages.Codecs;
import org.subspace.workers.stages.StageExecutor;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.train.SwagMoments;
import org.subspace.workers.train.TrainingState;

/**
 * What crosses between nodes: large artifacts over their own byte streams (under the cluster's
 * TLS), for offered tokens only, failing when stalled or corrupt; and only nodes with a valid
 * certificate join.
 */
class ClusterTransportTest {
  @TempDir Path dir;
  /** One authority's certificates, made once: keytool takes seconds a node. */
  @TempDir static Path certs;
  @TempDir static Path foreign;

  @BeforeAll
  static void makeCertificates() throws Exception {
    TestRuns.certificates(certs, "orchestrator", "worker", "worker2", "impostor:worker", "viewer:viewer");
    TestRuns.certificates(foreign, "intruder");
  }

  private static Config node(String role, int port, int seed, Path tls) {
    return ClusterConfig.node(role, "127.0.0.1", port, "127.0.0.1:" + seed, tls, null, false);
  }

  private static void stop(ActorSystem<?>... systems) throws Exception {
    for (ActorSystem<?> system : systems) {
      system.terminate();
    }
    for (ActorSystem<?> system : systems) {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aProjectionAndACheckpointOfOverTenMegabytesCrossNodesIntactUnderTls() throws Exception {
    int seed = TestRuns.freePort();
    ActorSystem<Void> a = ActorSystem.create(Behaviors.empty(), "subspace",
        node("orchestrator", seed, seed, certs.resolve("orchestrator")));
    ActorSystem<Void> b = ActorSystem.create(Behaviors.empty(), "subspace",
        node("worker", 0, seed, certs.resolve("worker")));
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

      // The worker B serves what it made, and the orchestrator A pulls it through a remote reference.
      ActorRef<ArtifactStoreProtocol.Command> server = b.systemActorOf(ArtifactServer.create(storeA), "artifacts",
          Props.empty());
      ActorRef<ArtifactStoreProtocol.Command> remote = ActorRefResolver.get(a)
          .resolveActorRef(ActorRefResolver.get(b).toSerializationFormat(server));
      for (ArtifactRef ref : List.of(subspace, checkpoint)) {
        long start = System.nanoTime();
        ArtifactFetch.get(a).fetchInto(remote, ref, storeB);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %.1f MB in %.2f s = %.0f MB/s%n", ref.kind(), ref.bytes() / 1e6, seconds,
            ref.bytes() / 1e6 / seconds);
        assertEquals(Sha256.hex(storeA.verifiedFile(ref)), Sha256.hex(storeB.verifiedFile(ref)));
      }
      assertArrayEquals(projection, storeB.readTensors(subspace).get("projection").floats());
    } finally {
      stop(a, b);
    }
  }

  /** The offer {@code server} makes for {@code ref}, as a receiver on {@code system} would get it. */
  private static ArtifactStoreProtocol.Offer offer(ActorSystem<?> system,
      ActorRef<ArtifactStoreProtocol.Command> server, ArtifactRef ref) throws Exception {
    return (ArtifactStoreProtocol.Offer) AskPattern.<ArtifactStoreProtocol.Command, ArtifactStoreProtocol.FetchResult>ask(
        server, replyTo -> new ArtifactStoreProtocol.Fetch(ref, replyTo), Duration.ofSeconds(20), system.scheduler())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** What a plain TCP client that sends {@code line} gets back from {@code host:port}. */
  private static byte[] plainClient(String host, int port, String line) throws Exception {
    try (Socket socket = new Socket(host, port)) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      try {
        socket.getInputStream().transferTo(received);
      } catch (SocketException reset) {
        // A server that refuses may reset the connection: what came before is what counts.
      }
      return received.toByteArray();
    }
  }

  @Test
  void theArtifactPortSendsOnlyForAnOfferedTokenOnceAndUnderTlsOnlyToACertifiedPeer() throws Exception {
    int plainPort = TestRuns.freePort();
    int tlsPort = TestRuns.freePort();
    ActorSystem<Void> plain = ActorSystem.create(Behaviors.empty(), "subspace",
        node("orchestrator", plainPort, plainPort, null));
    ActorSystem<Void> tls = ActorSystem.create(Behaviors.empty(), "subspace",
        node("orchestrator", tlsPort, tlsPort, certs.resolve("orchestrator")));
    try {
      ArtifactStore store = new ArtifactStore(dir.resolve("store"));
      float[] values = new float[500_000];
      Arrays.fill(values, 0.25f);
      ArtifactRef ref = store.putTensors(ArtifactKind.SUBSPACE, Map.of("mean", Tensor.of(values, values.length)));
      byte[] file = Files.readAllBytes(store.verifiedFile(ref));

      ActorRef<ArtifactStoreProtocol.Command> server = plain.systemActorOf(ArtifactServer.create(store),
          "artifacts", Props.empty());
      ArtifactStoreProtocol.Offer offer = offer(plain, server, ref);
      assertEquals(0, plainClient(offer.host(), offer.port(), "ab".repeat(32)).length, "a token never offered");
      assertArrayEquals(file, plainClient(offer.host(), offer.port(), offer.token()), "the offered token");
      assertEquals(0, plainClient(offer.host(), offer.port(), offer.token()).length, "the same token again");

      ActorRef<ArtifactStoreProtocol.Command> tlsServer = tls.systemActorOf(ArtifactServer.create(store),
          "artifacts", Props.empty());
      ArtifactStoreProtocol.Offer tlsOffer = offer(tls, tlsServer, ref);
      byte[] answer = plainClient(tlsOffer.host(), tlsOffer.port(), tlsOffer.token());
      assertTrue(answer.length < 1_000, "a client without TLS gets a TLS alert at most, not "
          + answer.length + " bytes");
      assertFalse(new String(answer, StandardCharsets.ISO_8859_1).contains("PK"), "no byte of the artifact");
    } finally {
      stop(plain, tls);
    }
  }

  @Test
  void aTransferFailsWhenItStallsAndWhenTheSourceFileNoLongerMatchesItsName() throws Exception {
    int port = TestRuns.freePort();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "subspace",
        ConfigFactory.parseString("subspace.transfer { stall-timeout = 2s, tries = 1 }")
            .withFallback(node("orchestrator", port, port, null)));
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      ArtifactStore source = new ArtifactStore(dir.resolve("source"));
      ArtifactStore target = new ArtifactStore(dir.resolve("target"));
      float[] values = new float[2_000_000];
      Arrays.fill(values, 1.5f);
      ArtifactRef ref = source.putTensors(ArtifactKind.SUBSPACE, Map.of("mean", Tensor.of(values, values.length)));

      // A server that offers a stream and then sends nothing: the receiver gives up after 2 s, not later.
      Thread accepting = new Thread(() -> {
        try {
          silent.accept();
        } catch (IOException closed) {
          // The test is over.
        }
      });
      accepting.start();
      ActorRef<ArtifactStoreProtocol.Command> stalling = system.systemActorOf(Behaviors.receiveMessage(command -> {
        ArtifactStoreProtocol.Fetch fetch = (ArtifactStoreProtocol.Fetch) command;
        fetch.replyTo().tell(new ArtifactStoreProtocol.Offer(fetch.ref(), "127.0.0.1", silent.getLocalPort(), "t"));
        return Behaviors.same();
      }), "stalling", Props.empty());
      long start = System.nanoTime();
      String stalled = failure(ArtifactFetch.get(system).fetch(stalling, ref, target).toCompletableFuture());
      double seconds = (System.nanoTime() - start) / 1e9;
      assertTrue(stalled.contains("stalled (no progress for 2 s after 0 of " + ref.bytes() + " bytes)"), stalled);
      assertTrue(seconds >= 1.9 && seconds < 15, seconds + " s");

      // A source file changed after it was stored: the receiver hears what is wrong with it, the
      // source drops it, and nothing half-written stays in the target.
      Path object = source.objectFile(ref);
      byte[] bytes = Files.readAllBytes(object);
      bytes[bytes.length / 2] ^= 1;
      Files.write(object, bytes);
      ActorRef<ArtifactStoreProtocol.Command> server = system.systemActorOf(ArtifactServer.create(source),
          "artifacts", Props.empty());
      String corrupt = failure(ArtifactFetch.get(system).fetch(server, ref, target).toCompletableFuture());
      assertTrue(corrupt.contains("hashing to"), corrupt);
      assertFalse(Files.exists(object), "the source dropped the file that no longer matches its name");
      assertFalse(target.contains(ref));
      try (var incoming = Files.list(dir.resolve("target").resolve("incoming"))) {
        assertEquals(0, incoming.count(), "no temporary left behind");
      }
    } finally {
      stop(system);
    }
  }

  private static String failure(CompletableFuture<ArtifactRef> fetch) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> fetch.get(60, TimeUnit.SECONDS));
    return e.getCause().getMessage();
  }

  @Test
  void aNodeWithACertificateFromAnotherAuthorityCannotJoin() throws Exception {
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
      stop(orchestrator, worker, intruder);
    }
  }

  /**
   * Roles come from certificates: a node cannot start in a role its certificate does not name;
   * one that skips that check and claims the orchestrator's role with a worker's certificate is
   * downed; one whose certificate names no node role opens no connection; and a worker answers
   * requests and offers its artifacts to the orchestrator only, not to another worker.
   */
  @Test
  void rolesAreTheCertificatesAndOnlyTheOrchestratorAssignsWorkOrPullsFromAWorker() throws Exception {
    String wrongRole = assertThrows(BadInputException.class,
        () -> node("orchestrator", 0, 1, certs.resolve("impostor"))).getMessage();
    assertTrue(wrongRole.contains("is a certificate for worker, not for this node's role orchestrator"), wrongRole);
    String noRole = assertThrows(BadInputException.class, () -> node("worker", 0, 1, certs.resolve("viewer")))
        .getMessage();
    assertTrue(noRole.contains("names no cluster role: it needs OU=orchestrator or OU=worker"), noRole);

    int seed = TestRuns.freePort();
    ActorSystem<Void> orchestrator = ActorSystem.create(Behaviors.setup(context -> {
      context.spawn(RoleGuard.create(), "role-guard");
      return Behaviors.empty();
    }), "subspace", node("orchestrator", seed, seed, certs.resolve("orchestrator")));
    ActorSystem<Void> worker = ActorSystem.create(Behaviors.empty(), "subspace",
        node("worker", 0, seed, certs.resolve("worker")));
    ActorSystem<Void> worker2 = ActorSystem.create(Behaviors.empty(), "subspace",
        node("worker", 0, seed, certs.resolve("worker2")));
    // Nodes that skip their own check: a worker's certificate claiming the orchestrator's role,
    // and a certificate from the cluster's authority that is no node's.
    ActorSystem<Void> impostor = ActorSystem.create(Behaviors.empty(), "subspace",
        ConfigFactory.parseString("akka.cluster.roles = [orchestrator]")
            .withFallback(node("worker", 0, seed, certs.resolve("impostor"))));
    ActorSystem<Void> viewer = ActorSystem.create(Behaviors.empty(), "subspace", ConfigFactory.parseMap(Map.of(
            "akka.remote.artery.ssl.config-ssl-engine.key-store", certs.resolve("viewer/node.p12").toString()))
        .withFallback(node("worker", 0, seed, certs.resolve("worker"))));
    try {
      Cluster cluster = Cluster.get(orchestrator);
      assertTrue(impostor.getWhenTerminated().toCompletableFuture().handle((done, error) -> true)
          .get(60, TimeUnit.SECONDS), "the impostor was downed and its actor system stopped");
      // The downed impostor leaves the membership once the leader has removed it.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while ((upMembers(cluster) < 3 || cluster.state().members().size() > 3) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(3, upMembers(cluster), "the orchestrator and the two workers");
      assertTrue(StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
          .noneMatch(m -> m.address().equals(impostor.address()) || m.address().equals(viewer.address())),
          "members: " + cluster.state().members());
      assertTrue(Cluster.get(viewer).selfMember().status() != MemberStatus.up(), "the viewer never joined");

      ArtifactStore store = new ArtifactStore(dir.resolve("worker-store"));
      ArtifactRef ref = store.putTensors(ArtifactKind.SUBSPACE, Map.of("mean", Tensor.of(new float[1000], 1000)));
      ActorRef<ArtifactStoreProtocol.Command> server = worker.systemActorOf(ArtifactServer.create(store),
          "artifacts", Props.empty());
      ActorRef<WorkerProtocol.Command> node = worker.systemActorOf(WorkerNode.create("w", 1, List.of(),
          new StageExecutor(store), FaultInjector.NONE), "worker", Props.empty());
      String refused = failure(ArtifactFetch.get(worker2).fetch(remote(worker2, worker, server), ref,
          new ArtifactStore(dir.resolve("worker2-store"))).toCompletableFuture());
      assertTrue(refused.contains("refused: this node's certificate does not allow it to pull"), refused);
      assertThrows(ExecutionException.class, () -> describe(worker2, remote(worker2, worker, node)),
          "a worker does not answer another worker");
      ArtifactStore pulled = new ArtifactStore(dir.resolve("orchestrator-store"));
      ArtifactFetch.get(orchestrator).fetchInto(remote(orchestrator, worker, server), ref, pulled);
      assertTrue(pulled.contains(ref), "the orchestrator pulls from the worker");
      assertEquals("w", describe(orchestrator, remote(orchestrator, worker, node)).workerId());
    } finally {
      // The workers leave while the orchestrator is still there to see them go.
      stop(viewer, impostor);
      stop(worker, worker2);
      stop(orchestrator);
    }
  }

  /** {@code ref} of {@code owner} as {@code system} sees it. */
  private static <T> ActorRef<T> remote(ActorSystem<?> system, ActorSystem<?> owner, ActorRef<T> ref) {
    return ActorRefResolver.get(system).resolveActorRef(ActorRefResolver.get(owner).toSerializationFormat(ref));
  }

  private static WorkerProtocol.Resources describe(ActorSystem<?> system, ActorRef<WorkerProtocol.Command> node)
      throws Exception {
    return AskPattern.<WorkerProtocol.Command, WorkerProtocol.Resources>ask(node,
        replyTo -> new WorkerProtocol.DescribeResources(replyTo, 1), Duration.ofSeconds(3), system.scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static long upMembers(Cluster cluster) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }
}
