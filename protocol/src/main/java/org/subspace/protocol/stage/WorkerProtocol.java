package org.subspace.protocol.stage;

import akka.actor.typed.ActorRef;
import java.time.Duration;
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
   * fetched from {@code artifacts}, the sweep's store. Every event goes to {@code replyTo}:
   * {@link StageEvent.Started} on receipt (the scheduler's acknowledgement), then at least one
   * event every {@code heartbeat} while the attempt runs, which renews its lease, until its
   * computation has passed no epoch or iteration boundary for {@code hangTimeout}: then it is
   * taken for hung (a native call that never returns) and its lease is left to expire.
   * {@code checkpoints} says how often the attempt saves its progress; {@code gpu} is the GPU
   * slot it was given, or -1 for a CPU slot.
   */
  public record RunStage(Stage stage, int attempt, ArtifactRef resumeFrom, CheckpointPolicy checkpoints, int gpu,
      ActorRef<ArtifactStoreProtocol.Command> artifacts, ActorRef<StageEvent> replyTo, Duration heartbeat,
      Duration hangTimeout) implements Command {}

  /**
   * Stop an attempt at its next epoch or iteration boundary: it was superseded, or its lease
   * expired. An attempt is named by its stage, its number and the scheduler it reports to
   * ({@code replyTo} of its {@link RunStage}), so that a cancel never reaches another
   * scheduler's attempt of the same stage. A cancelled attempt reports {@link StageEvent.Failed}.
   */
  public record CancelStage(String key, int attempt, ActorRef<StageEvent> replyTo) implements Command {}

  /** Asks for the node's {@link Resources}; {@code request} is echoed in the answer. */
  public record DescribeResources(ActorRef<Resources> replyTo, long request) implements Command {}

  /** An attempt a node is running now, with its slot (a GPU id or -1) and the scheduler it reports to. */
  public record RunningAttempt(String key, int attempt, int gpu, ActorRef<StageEvent> replyTo)
      implements CborSerializable {}

  /**
   * A worker node's capacity (CPU slots, and GPU ids, each one slot of its own), the store
   * that serves the artifacts it produces, and the attempts it is running as it answers
   * {@code request}: every {@link RunStage} it received before that request, unless finished.
   * A node that rejoins may still run attempts its scheduler has given up on; they hold slots
   * until they end.
   */
  public record Resources(String workerId, ActorRef<Command> worker, int cpuSlots, List<Integer> gpuIds,
      ActorRef<ArtifactStoreProtocol.Command> artifacts, List<RunningAttempt> running, long request)
      implements CborSerializable {
    public Resources {
      gpuIds = List.copyOf(gpuIds);
      running = List.copyOf(running);
    }
  }
}
