package org.subspace.protocol.stage;

import akka.actor.typed.ActorRef;
import java.util.List;
import org.subspace.protocol.CborSerializable;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;

/** What the scheduler says to a worker node, and what the node says about itself. */
public final class WorkerProtocol {
  private WorkerProtocol() {}

  public sealed interface Command extends CborSerializable {}

  /**
   * Run one attempt of a stage; {@code resumeFrom} is the stage's last in-stage checkpoint
   * (null to start fresh). Inputs (and the checkpoint) missing from the worker's store are
   * fetched from {@code artifacts}, the sweep's store. Every event goes to {@code replyTo}.
   * {@code checkpoints} says how often the attempt saves its progress; {@code gpu} is the GPU
   * slot it was given, or -1 for a CPU slot.
   */
  public record RunStage(Stage stage, int attempt, ArtifactRef resumeFrom, CheckpointPolicy checkpoints, int gpu,
      ActorRef<ArtifactStoreProtocol.Command> artifacts, ActorRef<StageEvent> replyTo) implements Command {}

  public record DescribeResources(ActorRef<Resources> replyTo) implements Command {}

  /**
   * A worker node's capacity (CPU slots, and GPU ids, each one slot of its own) and the store
   * that serves the artifacts it produces.
   */
  public record Resources(String workerId, ActorRef<Command> worker, int cpuSlots, List<Integer> gpuIds,
      ActorRef<ArtifactStoreProtocol.Command> artifacts) implements CborSerializable {
    public Resources {
      gpuIds = List.copyOf(gpuIds);
    }
  }
}
