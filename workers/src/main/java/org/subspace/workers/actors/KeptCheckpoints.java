package org.subspace.workers.actors;

import java.util.ArrayDeque;
import java.util.Deque;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.workers.store.ArtifactStore;

/**
 * The checkpoints one attempt wrote to its node's store, newest last: beyond {@code keep}, the
 * oldest is deleted, so a long training does not fill the worker's disk (the sweep's store
 * keeps its own newest {@code keep}). Used from the attempt's compute thread only.
 */
final class KeptCheckpoints {
  private final ArtifactStore store;
  private final int keep;
  private final Deque<ArtifactRef> written = new ArrayDeque<>();

  KeptCheckpoints(ArtifactStore store, int keep) {
    this.store = store;
    this.keep = keep;
  }

  void add(ArtifactRef checkpoint) {
    written.remove(checkpoint);
    written.addLast(checkpoint);
    while (written.size() > keep) {
      store.delete(written.removeFirst());
    }
  }
}
