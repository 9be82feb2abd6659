package org.subspace.protocol.stage;

import akka.actor.typed.ActorRef;
import java.util.List;
import org.subspace.protocol.CborSerializable;
import org.subspace.protocol.store.ArtifactRef;

/** What the scheduler says to a worker node, and what the node says about itself. */
public final class WorkerProtocol {
  private WorkerProtocol() {}

  public sealed interface Command extends CborSerializable {}

  /**
   * Run one attempt of a stage; {@code resumeFrom} is the stage's last in-stage checkpoint
   * (null to start fresh). Every event of the attempt goes to {@code replyTo}.
   */
  public record RunStage(Stage stage, int attempt, ArtifactRef resumeFrom, ActorRef<StageEvent> replyTo)
      implements Command {}

  public record DescribeResources(ActorRef<Resources> replyTo) implements Command {}

  /** A worker node's capacity: CPU slots and GPU ids, each GPU id one slot of its own. */
  public record Resources(String workerId, ActorRef<Command> worker, int cpuSlots, List<Integer> gpuIds)
      implements CborSerializable {
    public Resources {
      gpuIds = List.copyOf(gpuIds);
    }
  }
}
