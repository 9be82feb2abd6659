package org.subspace.protocol.stage;

import java.util.List;
import java.util.Map;
import org.subspace.protocol.CborSerializable;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.vocabulary.ArtifactKind;

/**
 * The durable record that a stage is done: its outputs, its metrics, the compute time of the
 * attempts that produced it. Written once, atomically, under the stage's key.
 */
public record StageManifest(String key, StageKind kind, List<ArtifactRef> outputs, Map<String, Double> metrics,
    double computeSeconds, int attempts) implements CborSerializable {
  public StageManifest {
    outputs = List.copyOf(outputs);
    metrics = Map.copyOf(metrics);
  }

  public ArtifactRef output(ArtifactKind kind) {
    return outputs.stream().filter(r -> r.kind().equals(kind)).findFirst()
        .orElseThrow(() -> new IllegalStateException("stage " + key + " has no output of kind " + kind.label()));
  }
}
