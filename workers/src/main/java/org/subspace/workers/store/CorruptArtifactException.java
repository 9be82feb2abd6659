package org.subspace.workers.store;

/** An artifact whose bytes do not match its hash (flipped, truncated) or that is gone. */
public class CorruptArtifactException extends RuntimeException {
  public CorruptArtifactException(String message) {
    super(message);
  }
}
