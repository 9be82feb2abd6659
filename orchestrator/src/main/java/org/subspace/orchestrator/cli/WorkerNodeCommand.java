package org.subspace.orchestrator.cli;

import akka.actor.typed.ActorSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Callable;
import com.typesafe.config.Config;
import org.subspace.orchestrator.cluster.ClusterConfig;
import org.subspace.orchestrator.cluster.ClusterGuardian;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.monitoring.MetricsServer;
import org.subspace.protocol.BadInputException;
import org.subspace.workers.actors.FaultInjector;
import org.subspace.workers.actors.RunningAttempts;
import org.subspace.workers.store.ArtifactStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Start a worker node that joins an orchestrator's cluster, registers its slots and GPUs with the "
        + "Receptionist, runs the stages it is given, and keeps their artifacts in its own store (no shared "
        + "filesystem needed). Runs until stopped or until the cluster removes it.")
final class WorkerNodeCommand implements Callable<Integer> {
  @Option(names = "--join", required = true, paramLabel = "HOST:PORT", description = "The orchestrator (seed) node")
  String join;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to bind and advertise (default ${DEFAULT-VALUE})")
  String host = "127.0.0.1";

  @Option(names = "--port", paramLabel = "PORT", description = "Cluster port (default 0: any free port)")
  int port;

  @Option(names = "--slots", paramLabel = "N", description = "Stages run at once (default ${DEFAULT-VALUE})")
  int slots = 1;

  @Option(names = "--gpus", split = ",", paramLabel = "ID", description = "GPU ids this node offers, e.g. 0,1")
  List<Integer> gpus = List.of();

  @Option(names = "--store", paramLabel = "DIR", description = "This node's artifact store (default ${DEFAULT-VALUE})")
  Path store = Path.of("worker-store");

  @Option(names = "--tls", paramLabel = "DIR", description = "Artery TLS: DIR/node.p12 and DIR/truststore.p12")
  Path tls;

  @Option(names = "--insecure", description = "Allow a non-loopback --host without --tls: anyone who reaches the "
      + "address can join, run stages and read artifacts. Only on networks where every host is yours")
  boolean insecure;

  @Option(names = "--config", paramLabel = "FILE", description = "Extra Akka settings (HOCON) for this node")
  Path config;

  @Option(names = "--join-timeout", paramLabel = "SECONDS",
      description = "Give up when the node has not joined within this time (default ${DEFAULT-VALUE})")
  int joinTimeoutSeconds = 60;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve this node's metrics at http://HOST:PORT/metrics (off by default)")
  Integer metricsPort;

  @Option(names = "--fault-injection", paramLabel = "HOCON", hidden = true,
      description = "Test hook: the keys of orchestrator.fault-injection for this node, e.g. 'kill-worker = [sample]'")
  String faultInjection;

  @Spec CommandSpec command;

  /** What this process runs, across the actor systems of its rejoins. */
  private final RunningAttempts attempts = new RunningAttempts();
  private FaultInjector faults = FaultInjector.NONE;

  /** Removes the empty folders a fresh store made, so that a failed start leaves nothing behind. */
  private static void removeEmptyStore(Path store) {
    try (Stream<Path> paths = Files.walk(store)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Only empty folders were there; failing to remove them is not worth hiding the real error.
    }
  }

  /** Whether this node became Up in the cluster within the timeout. */
  private static boolean joined(ActorSystem<Void> system, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (Cluster.get(system).selfMember().status() == MemberStatus.up()) {
        return true;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  @Override
  public Integer call() {
    if (!join.matches("[^:\\s]+:\\d+")) {
      throw new BadInputException("--join: expected HOST:PORT, got '" + join + "'");
    }
    if (slots < 1) {
      throw new BadInputException("--slots must be at least 1, got " + slots);
    }
    if (faultInjection != null) {
      faults = new SweepConfigLoader().workerFaults(faultInjection);
    }
    Config node = ClusterConfig.node(ClusterGuardian.WORKER_ROLE, host, port, join, tls, config, insecure);
    ClusterConfig.warnIfOpen(command.commandLine().getErr(), node);
    MetricsServer metrics = metricsPort == null ? null : MetricsServer.start(host, metricsPort, () -> null);
    boolean storeExisted = Files.exists(store);
    ArtifactStore artifacts = new ArtifactStore(store);
    AtomicBoolean stopping = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopping.set(true)));
    ActorSystem<Void> system = start(artifacts, node);
    if (!joined(system, joinTimeoutSeconds)) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      if (metrics != null) {
        metrics.close();
      }
      if (!storeExisted) {
        removeEmptyStore(store);
      }
      throw new BadInputException("--join " + join + ": no orchestrator answered within " + joinTimeoutSeconds
          + " s (is it running, reachable, and using the same TLS settings?)");
    }
    // A worker outlives its orchestrator: when the cluster removes this node (the orchestrator
    // died and Split Brain Resolver downed the rest), it starts afresh and joins again, so that a
    // restarted orchestrator finds its workers. Only stopping the process ends it.
    while (true) {
      system.getWhenTerminated().toCompletableFuture().join();
      if (awaitStop(stopping)) {
        break;
      }
      system = start(artifacts, node);
      while (!joined(system, joinTimeoutSeconds) && !stopping.get()) {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
        system = start(artifacts, node);
      }
    }
    if (metrics != null) {
      metrics.close();
    }
    return 0;
  }

  private ActorSystem<Void> start(ArtifactStore artifacts, Config node) {
    ActorSystem<Void> system = ActorSystem.create(ClusterGuardian.worker(slots, gpus, artifacts, faults, attempts),
        ClusterConfig.SYSTEM_NAME, node);
    command.commandLine().getOut().println("worker " + system.address() + " joining " + join);
    command.commandLine().getOut().flush();
    return system;
  }

  /** Whether the process is being stopped (the shutdown hook may trail the actor system by a moment). */
  private static boolean awaitStop(AtomicBoolean stopping) {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      return true;
    }
    return stopping.get();
  }
}
