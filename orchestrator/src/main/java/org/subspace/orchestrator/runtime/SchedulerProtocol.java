package org.subspace.orchestrator.runtime;

import akka.actor.typed.ActorRef;
import java.util.List;
import org.subspace.protocol.CborSerializable;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.stage.StageEvent;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;

/** Between the sweep supervisor and the stage scheduler. */
public final class SchedulerProtocol {
  private SchedulerProtocol() {}

  /** To the scheduler: run this stage (from its last checkpoint, if any) when a slot is free. */
  public record Submit(Stage stage, ArtifactRef resumeFrom) implements StageScheduler.Command, CborSerializable {}

  /**
   * To the scheduler: no unfinished stage reads these artifacts (by sha256) any more, so where
   * they were made no longer matters for placing a stage.
   */
  public record Forget(List<String> artifacts) implements StageScheduler.Command, CborSerializable {}

  /** To the supervisor: what happened to the stages it submitted. */
  public sealed interface Report extends SweepSupervisor.Command, CborSerializable {
    String key();
  }

  /**
   * A worker's event about the current attempt, with the worker that runs it. For a
   * {@link StageEvent.Started}, {@code schedulingMillis} is the time from the moment the stage
   * was ready and a slot free to the worker's report that it started; NaN for other events.
   * {@code workerArtifacts} serves the artifacts the event names.
   */
  public record Forwarded(StageEvent event, String workerId, double schedulingMillis,
      ActorRef<ArtifactStoreProtocol.Command> workerArtifacts) implements Report {
    @Override
    public String key() {
      return event.key();
    }
  }

  /** An attempt failed and will be retried after {@code delayMillis}, from the last checkpoint if there is one. */
  public record Retrying(String key, int failedAttempt, String error, long delayMillis, long resumePosition)
      implements Report {}

  /** Every attempt failed: the stage is failed for good. */
  public record GaveUp(String key, int attempts, String error) implements Report {}

  /** A worker's disk is full: no retry can succeed until space is freed, so the sweep stops. */
  public record DiskFull(String key, String workerId, String error) implements Report {}
}
