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

  /**
   * To the scheduler: run this stage (from its last checkpoint, if any) when a slot is free.
   * {@code lost} says why the outputs of its last attempt were lost (their worker died before
   * they reached the sweep's store), or is null for a stage's first submission: a lost attempt
   * counts against the attempt limit as any other.
   */
  public record Submit(Stage stage, ArtifactRef resumeFrom, String lost)
      implements StageScheduler.Command, CborSerializable {
    public Submit(Stage stage, ArtifactRef resumeFrom) {
      this(stage, resumeFrom, null);
    }
  }

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
   * {@code heardMillis} is when the scheduler heard the event (wall clock): for a success, when
   * it freed the attempt's slot, before its outputs are pulled. {@code workerArtifacts} serves
   * the artifacts the event names.
   */
  public record Forwarded(StageEvent event, String workerId, double schedulingMillis, long heardMillis,
      ActorRef<ArtifactStoreProtocol.Command> workerArtifacts) implements Report {
    @Override
    public String key() {
      return event.key();
    }
  }

  /** An attempt failed and will be retried after {@code delayMillis}, from the last checkpoint if there is one. */
  public record Retrying(String key, int failedAttempt, String error, long delayMillis, long resumePosition)
      implements Report {}

  /**
   * An attempt was lost with its worker (the worker left or is unreachable, or the attempt's
   * lease expired: no acknowledgement, no report in time) and the stage is queued again, from
   * its last checkpoint (at {@code resumePosition}) if there is one.
   */
  public record Reassigned(String key, int lostAttempt, String reason, long resumePosition) implements Report {}

  /**
   * Every attempt failed or was lost: the stage is failed for good. {@code lostWorkers} is 0
   * when the last attempt failed ({@code error} is its error); otherwise the last attempt was
   * lost with its worker, {@code error} says how, and {@code lostWorkers} counts the attempts
   * lost so.
   */
  public record GaveUp(String key, int attempts, String error, int lostWorkers) implements Report {}

  /** A worker's storage failed (full, read-only, I/O error): no retry can succeed until it is mended, so the sweep stops. */
  public record StorageFailed(String key, String workerId, String error) implements Report {}
}
