package org.subspace.orchestrator.runtime;

import static org.subspace.protocol.vocabulary.StageState.BLOCKED;
import static org.subspace.protocol.vocabulary.StageState.CACHED;
import static org.subspace.protocol.vocabulary.StageState.DONE;
import static org.subspace.protocol.vocabulary.StageState.FAILED;
import static org.subspace.protocol.vocabulary.StageState.LOST;
import static org.subspace.protocol.vocabulary.StageState.QUEUED;
import static org.subspace.protocol.vocabulary.StageState.RUNNING;
import static org.subspace.protocol.vocabulary.StageState.WAITING;

import java.util.Arrays;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.vocabulary.StageState;

/**
 * What a sweep knows of one of its stages: its state, its last attempt and the worker that ran
 * it, the progress the running attempt last reported, and its manifest once it succeeded or why
 * it failed. Each transition returns the new record, or throws an IllegalStateException for a
 * move {@link StageState} does not allow.
 */
public record StageRecord(String key, StageState state, int attempts, String worker, String progress,
    StageManifest manifest, String error) {

  /** A stage has a manifest exactly when it succeeded, and an error exactly when it failed or is blocked. */
  public StageRecord {
    if (state.succeeded() != (manifest != null)) {
      throw new IllegalArgumentException(key + ": a " + state.label() + " stage "
          + (manifest == null ? "without" : "with") + " a manifest");
    }
    if ((state == FAILED || state == BLOCKED) != (error != null)) {
      throw new IllegalArgumentException(key + ": a " + state.label() + " stage " + (error == null ? "without" : "with")
          + " an error");
    }
  }

  /** A stage of the plan, before anything happened to it. */
  public static StageRecord waiting(String key) {
    return new StageRecord(key, WAITING, 0, null, null, null, null);
  }

  /** Done in an earlier run: its manifest is in the store. */
  public StageRecord cached(StageManifest manifest) {
    require("be cached", WAITING);
    return new StageRecord(key, CACHED, attempts, worker, null, manifest, null);
  }

  /** Submitted to the scheduler: its upstream stages are done, or its outputs were lost. */
  public StageRecord queued() {
    require("be queued", WAITING, LOST);
    return new StageRecord(key, QUEUED, attempts, worker, null, null, null);
  }

  /**
   * A worker started {@code attempt}. A running stage starts again, at a later attempt, when the
   * worker of the last one left: the scheduler re-queues it without a word.
   */
  public StageRecord started(int attempt, String worker) {
    if (!(state == QUEUED || state == RUNNING && attempt > attempts)) {
      throw new IllegalStateException(key + ": a " + state.label() + " stage at attempt " + attempts
          + " cannot start attempt " + attempt);
    }
    return new StageRecord(key, RUNNING, attempt, worker, null, null, null);
  }

  public StageRecord progressed(String progress) {
    require("report progress", RUNNING);
    return new StageRecord(key, RUNNING, attempts, worker, progress, null, null);
  }

  /** Its attempt failed and the next waits out a backoff; attempts and worker stay those of the failed one. */
  public StageRecord retrying() {
    require("be retried", RUNNING);
    return new StageRecord(key, QUEUED, attempts, worker, null, null, null);
  }

  /** It succeeded, but its outputs died with their worker before they reached the sweep's store. */
  public StageRecord lost() {
    require("lose its outputs", RUNNING);
    return new StageRecord(key, LOST, attempts, worker, null, null, null);
  }

  public StageRecord succeeded(StageManifest manifest) {
    require("succeed", RUNNING);
    return new StageRecord(key, DONE, attempts, worker, null, manifest, null);
  }

  /** It gave up after its last attempt; the progress that attempt reached stays. */
  public StageRecord failed(String error) {
    require("fail", QUEUED, RUNNING);
    return new StageRecord(key, FAILED, attempts, worker, progress, null, error);
  }

  /** A stage it waits for failed, so it never runs. */
  public StageRecord blocked(String error) {
    require("be blocked", WAITING);
    return new StageRecord(key, BLOCKED, attempts, worker, null, null, error);
  }

  private void require(String move, StageState... from) {
    if (!Arrays.asList(from).contains(state)) {
      throw new IllegalStateException(key + ": a " + state.label() + " stage cannot " + move);
    }
  }
}
