package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a stage of a sweep is. Legal moves: waiting to queued (its upstream stages are done),
 * to cached (done in an earlier run) or to blocked (an upstream stage failed); queued to running
 * (a worker started it); running to queued (its attempt failed and another follows), to lost (it
 * succeeded but its outputs died with their worker), to done, or to running at a later attempt
 * (its worker left and another took it); lost to queued; queued or running to failed (it gave
 * up). The orchestrator's {@code StageRecord} enforces them.
 */
public enum StageState implements Spelled {
  @JsonProperty("waiting") WAITING,
  @JsonProperty("queued") QUEUED,
  @JsonProperty("running") RUNNING,
  @JsonProperty("lost") LOST,
  @JsonProperty("done") DONE,
  @JsonProperty("cached") CACHED,
  @JsonProperty("failed") FAILED,
  @JsonProperty("blocked") BLOCKED;

  /** Nothing more happens to it in this run. */
  public boolean finished() {
    return this == DONE || this == CACHED || this == FAILED || this == BLOCKED;
  }

  /** Its outputs are in the store. */
  public boolean succeeded() {
    return this == DONE || this == CACHED;
  }
}
