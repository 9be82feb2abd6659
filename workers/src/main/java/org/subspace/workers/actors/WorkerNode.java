package org.subspace.workers.actors;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.WorkerProtocol;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.stages.StageExecutor;

/**
 * A worker: registers with the Receptionist so schedulers find it, says what resources it
 * has and what it is running, serves the artifacts it produces, hands each stage to its
 * trainer, subspace builder, sampler or evaluator, and passes cancellations on to the running
 * attempts. It does not queue: the scheduler never sends more stages than the node has slots.
 * Under TLS it takes requests only from the node whose certificate names the orchestrator.
 */
public final class WorkerNode extends AbstractBehavior<WorkerProtocol.Command> {
  public static final ServiceKey<WorkerProtocol.Command> SERVICE_KEY =
      ServiceKey.create(WorkerProtocol.Command.class, "subspace-worker");
  private static final Set<String> ORCHESTRATOR_ONLY = Set.of(CertifiedRoles.ORCHESTRATOR);

  public static Behavior<WorkerProtocol.Command> create(
      String workerId, int cpuSlots, List<Integer> gpuIds, StageExecutor executor, FaultInjector faults) {
    return create(workerId, cpuSlots, gpuIds, executor, faults, new RunningAttempts());
  }

  /** {@code attempts}: what this worker process runs, kept across the actor systems of a node that rejoins. */
  public static Behavior<WorkerProtocol.Command> create(String workerId, int cpuSlots, List<Integer> gpuIds,
      StageExecutor executor, FaultInjector faults, RunningAttempts attempts) {
    return ActorMetrics.instrument("worker", Behaviors.setup(
        context -> new WorkerNode(context, workerId, cpuSlots, gpuIds, executor, faults, attempts)));
  }

  private final String workerId;
  private final int cpuSlots;
  private final List<Integer> gpuIds;
  private final FaultInjector faults;
  private final RunningAttempts attempts;
  private final Map<StageKind, ActorRef<StageWorker.Command>> roles = new EnumMap<>(StageKind.class);
  private final ActorRef<ArtifactStoreProtocol.Command> artifacts;
  private final CertifiedRoles certified;

  private WorkerNode(ActorContext<WorkerProtocol.Command> context, String workerId, int cpuSlots,
      List<Integer> gpuIds, StageExecutor executor, FaultInjector faults, RunningAttempts attempts) {
    super(context);
    this.workerId = workerId;
    this.cpuSlots = cpuSlots;
    this.gpuIds = List.copyOf(gpuIds);
    this.faults = faults;
    this.attempts = attempts;
    this.certified = CertifiedRoles.get(context.getSystem());
    for (StageKind kind : StageKind.values()) {
      roles.put(kind, context.spawn(StageWorker.create(kind, workerId, executor, faults, attempts),
          StageWorker.ROLE_NAMES.get(kind), ActorMetrics.MAILBOX));
    }
    this.artifacts = context.spawn(ArtifactServer.create(executor.store()), "artifacts", ActorMetrics.MAILBOX);
    context.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, context.getSelf()));
  }

  @Override
  public Receive<WorkerProtocol.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WorkerProtocol.RunStage.class, this::onRunStage)
        .onMessage(WorkerProtocol.CancelStage.class, this::onCancelStage)
        .onMessage(WorkerProtocol.DescribeResources.class, this::onDescribe)
        .build();
  }

  /**
   * Whether a request whose answers go to {@code refs} comes from the orchestrator: under TLS
   * only a node whose certificate names that role assigns work here or learns what runs here.
   */
  private boolean fromOrchestrator(WorkerProtocol.Command request, ActorRef<?>... refs) {
    for (ActorRef<?> ref : refs) {
      if (!certified.mayAnswer(ref, ORCHESTRATOR_ONLY)) {
        getContext().getLog().warn("ignoring {} from {}", request.getClass().getSimpleName(),
            certified.refusal(ref, ORCHESTRATOR_ONLY));
        return false;
      }
    }
    return true;
  }

  private Behavior<WorkerProtocol.Command> onRunStage(WorkerProtocol.RunStage run) {
    if (!fromOrchestrator(run, run.replyTo(), run.artifacts())) {
      return this;
    }
    if (faults.dropsRunStage(run.stage())) {
      getContext().getLog().warn("fault injection: ignoring RunStage {} attempt {}", run.stage().key(),
          run.attempt());
      return this;
    }
    // Registered before the stage worker sees it: a report that answers a later request lists it.
    ActorRef<StageWorker.Command> role = roles.get(run.stage().kind());
    role.tell(new StageWorker.Run(attempts.start(run, role)));
    return this;
  }

  private Behavior<WorkerProtocol.Command> onCancelStage(WorkerProtocol.CancelStage cancel) {
    if (!fromOrchestrator(cancel, cancel.replyTo())) {
      return this;
    }
    if (attempts.cancel(cancel.key(), cancel.attempt(), cancel.replyTo())) {
      getContext().getLog().info("cancelling {} attempt {}", cancel.key(), cancel.attempt());
    }
    return this;
  }

  private Behavior<WorkerProtocol.Command> onDescribe(WorkerProtocol.DescribeResources describe) {
    if (!fromOrchestrator(describe, describe.replyTo())) {
      return this;
    }
    describe.replyTo().tell(new WorkerProtocol.Resources(workerId, getContext().getSelf(), cpuSlots, gpuIds,
        artifacts, attempts.report(), describe.request()));
    return this;
  }
}
