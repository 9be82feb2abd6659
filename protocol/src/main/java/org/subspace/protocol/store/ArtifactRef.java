package org.subspace.protocol.store;

import java.util.List;
import java.util.Map;
import org.subspace.protocol.CborSerializable;
import org.subspace.protocol.vocabulary.ArtifactKind;

/**
 * A content-addressed artifact: the sha256 of its bytes (its name everywhere), what it is,
 * its size, and the shapes of the tensors inside (name to shape).
 */
public record ArtifactRef(String sha256, ArtifactKind kind, long bytes, Map<String, List<Long>> shapes)
    implements CborSerializable {

  public ArtifactRef {
    if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a sha256 hex digest: " + sha256);
    }
    shapes = Map.copyOf(shapes);
  }

  public String shortName() {
    return kind.label() + ":" + sha256.substring(0, 12);
  }
}
