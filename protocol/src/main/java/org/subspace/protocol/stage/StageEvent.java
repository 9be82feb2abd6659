package org.subspace.protocol.stage;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;
import org.subspace.protocol.CborSerializable;
import org.subspace.protocol.store.ArtifactRef;

/** What a worker reports about one attempt of a stage. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = StageEvent.Started.class, name = "started"),
  @JsonSubTypes.Type(value = StageEvent.Progress.class, name = "progress"),
  @JsonSubTypes.Type(value = StageEvent.Heartbeat.class, name = "heartbeat"),
  @JsonSubTypes.Type(value = StageEvent.Checkpointed.class, name = "checkpointed"),
  @JsonSubTypes.Type(value = StageEvent.Succeeded.class, name = "succeeded"),
  @JsonSubTypes.Type(value = StageEvent.Failed.class, name = "failed")
})
public sealed interface StageEvent extends CborSerializable {
  String key();

  int attempt();

  /** Sent on receipt of the attempt's {@code RunStage}: the acknowledgement its lease waits for. */
  record Started(String key, int attempt, String workerId) implements StageEvent {}

  /** The attempt is still running: it renews the attempt's lease when its own progress is sparse. */
  record Heartbeat(String key, int attempt) implements StageEvent {}

  /** {@code done} of {@code total} units (epochs, chain iterations). */
  record Progress(String key, int attempt, long done, long total, String detail) implements StageEvent {}

  /** A durable in-stage checkpoint at {@code position} (epochs done, chain iterations done). */
  record Checkpointed(String key, int attempt, ArtifactRef checkpoint, long position) implements StageEvent {}

  record Succeeded(String key, int attempt, List<ArtifactRef> outputs, Map<String, Double> metrics,
      double computeSeconds) implements StageEvent {
    public Succeeded {
      outputs = List.copyOf(outputs);
      metrics = Map.copyOf(metrics);
    }
  }

  /**
   * A failed attempt; {@code storageFailed} when its node's storage failed in a way no retry
   * mends (a full disk, a read-only file system, an I/O error, permission denied).
   */
  record Failed(String key, int attempt, String error, boolean storageFailed) implements StageEvent {}
}
