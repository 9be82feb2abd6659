package org.subspace.orchestrator.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.ClusterSingletonSettings;
import akka.cluster.typed.SingletonActor;
import java.time.Duration;
import java.util.List;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.orchestrator.runtime.LocalGuardian;
import org.subspace.orchestrator.runtime.SweepOutputs;
import org.subspace.orchestrator.runtime.SweepSupervisor;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.actors.ActorMetrics;
import org.subspace.workers.actors.ArtifactServer;
import org.subspace.workers.actors.CertifiedRoles;
import org.subspace.workers.actors.FaultInjector;
import org.subspace.workers.actors.RunningAttempts;
import org.subspace.workers.actors.WorkerNode;
import org.subspace.workers.stages.StageExecutor;
import org.subspace.workers.store.ArtifactStore;

/** The roots of the two cluster roles: the orchestrator node and a worker node. */
public final class ClusterGuardian {
  public static final String ORCHESTRATOR_ROLE = CertifiedRoles.ORCHESTRATOR;
  public static final String WORKER_ROLE = CertifiedRoles.WORKER;
  /** How often in a row the sweep supervisor is restarted after failing before the sweep ends. */
  static final int SUPERVISOR_RESTARTS = 5;

  private ClusterGuardian() {}

  /**
   * The orchestrator node: under TLS a {@link RoleGuard}, the sweep's store and its server, the
   * sweep supervisor as a cluster singleton on the orchestrator role (restarted with backoff if it
   * fails, as it resumes from the store, up to {@value #SUPERVISOR_RESTARTS} times in a row), and
   * {@code spec.runtime().workers()} local workers if any.
   */
  public static Behavior<Void> orchestrator(SweepSpec spec, StagePlan plan, ArtifactStore store,
      SweepOutputs outputs) {
    return Behaviors.setup(context -> {
      SweepSpec.RuntimeSpec runtime = spec.runtime();
      if (CertifiedRoles.get(context.getSystem()).enforced()) {
        context.spawn(RoleGuard.create(), "role-guard");
      }
      ActorRef<ArtifactStoreProtocol.Command> artifacts =
          context.spawn(ArtifactServer.sweepStore(store), "artifacts", ActorMetrics.MAILBOX);
      LocalGuardian.spawnWorkers(context, runtime, store, "orchestrator-worker-");
      Behavior<SweepSupervisor.Command> supervisor = BoundedRestarts.create(SweepSupervisor.Command.class,
          SweepSupervisor.create(runtime, plan, store, outputs, artifacts), SUPERVISOR_RESTARTS,
          Duration.ofMillis(500), Duration.ofSeconds(10), outputs.outcome());
      ClusterSingleton.get(context.getSystem()).init(SingletonActor.of(supervisor, "sweep")
          .withSettings(ClusterSingletonSettings.create(context.getSystem()).withRole(ORCHESTRATOR_ROLE)));
      return Behaviors.empty();
    });
  }

  /**
   * A worker node, named by its cluster address: its own store (and the server for it) and one
   * {@link WorkerNode}. {@code attempts} is the process's: a node that rejoins with a fresh actor
   * system still reports, and can cancel, the computations the previous one started.
   */
  public static Behavior<Void> worker(int slots, List<Integer> gpus, ArtifactStore store, FaultInjector faults,
      RunningAttempts attempts) {
    return Behaviors.setup(context -> {
      String workerId = context.getSystem().address().hostPort();
      context.spawn(WorkerNode.create(workerId, slots, gpus, new StageExecutor(store), faults, attempts), "worker",
          ActorMetrics.MAILBOX);
      context.spawn(OrchestratorWatch.create(), "orchestrator-watch");
      return Behaviors.empty();
    });
  }
}
