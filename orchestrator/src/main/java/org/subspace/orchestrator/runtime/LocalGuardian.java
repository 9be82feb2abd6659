package org.subspace.orchestrator.runtime;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.ChildFailed;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.actors.ActorMetrics;
import org.subspace.workers.actors.ArtifactServer;
import org.subspace.workers.actors.WorkerNode;
import org.subspace.workers.stages.StageExecutor;
import org.subspace.workers.store.ArtifactStore;

/**
 * The root of the one-JVM mode ({@code subspace run}): this node's artifact server, the
 * configured number of local worker nodes, and the sweep supervisor with its scheduler.
 */
public final class LocalGuardian {
  private LocalGuardian() {}

  /** {@code runtime.workers()} worker nodes in this JVM, sharing this node's store. */
  public static void spawnWorkers(ActorContext<?> context, SweepSpec.RuntimeSpec runtime, ArtifactStore store,
      String namePrefix) {
    spawnWorkers(context, runtime, new StageExecutor(store), namePrefix);
  }

  /** {@code runtime.workers()} worker nodes in this JVM running their stages with {@code executor}. */
  public static void spawnWorkers(ActorContext<?> context, SweepSpec.RuntimeSpec runtime, StageExecutor executor,
      String namePrefix) {
    for (int i = 1; i <= runtime.workers(); i++) {
      String id = namePrefix + i;
      context.spawn(WorkerNode.create(id, runtime.slotsPerWorker(), runtime.gpus(), executor, runtime.faults()), id,
          ActorMetrics.MAILBOX);
    }
  }

  public static Behavior<Void> create(SweepSpec spec, StagePlan plan, ArtifactStore store, SweepOutputs outputs) {
    return create(spec, plan, store, outputs, new StageExecutor(store));
  }

  /** The same with the local workers running their stages with {@code executor} (the scale benchmark's does nothing). */
  public static Behavior<Void> create(SweepSpec spec, StagePlan plan, ArtifactStore store, SweepOutputs outputs,
      StageExecutor executor) {
    return Behaviors.setup(context -> {
      SweepSpec.RuntimeSpec runtime = spec.runtime();
      ActorRef<ArtifactStoreProtocol.Command> artifacts =
          context.spawn(ArtifactServer.sweepStore(store), "artifacts", ActorMetrics.MAILBOX);
      spawnWorkers(context, runtime, executor, "worker-");
      ActorRef<SweepSupervisor.Command> sweep =
          context.spawn(SweepSupervisor.create(runtime, plan, store, outputs, artifacts), "sweep",
              ActorMetrics.MAILBOX);
      context.watch(sweep);
      // The supervisor stops once it has completed the outcome; stopping before means it crashed.
      return Behaviors.receive(Void.class)
          .onSignal(ChildFailed.class, crashed -> {
            outputs.outcome().completeExceptionally(crashed.getCause());
            return Behaviors.same();
          })
          .onSignal(Terminated.class, stopped -> {
            outputs.outcome().completeExceptionally(
                new IllegalStateException("the sweep supervisor stopped unexpectedly"));
            return Behaviors.same();
          })
          .build();
    });
  }
}
