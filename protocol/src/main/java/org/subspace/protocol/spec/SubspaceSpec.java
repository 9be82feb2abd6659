package org.subspace.protocol.spec;

import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.vocabulary.RandomScale;
import org.subspace.protocol.vocabulary.SubspaceKind;

/**
 * A subspace of weight space: PCA or random directions from a training, or the plane of a
 * fitted curve (always rank 2). The leading r rows of a rank-R subspace are the rank-r
 * subspace, so one subspace stage at the largest rank serves every smaller one.
 *
 * @param seed the random directions' seed (ignored by pca and curve, which are deterministic)
 * @param randomScale how random directions are scaled; null for the other kinds
 */
public record SubspaceSpec(SubspaceKind kind, int rank, long seed, RandomScale randomScale) implements StageSpec {
  /** The curve subspace is a plane, whatever ranks the other kinds use. */
  public static final int CURVE_RANK = 2;

  public SubspaceSpec {
    if ((kind == SubspaceKind.RANDOM) != (randomScale != null)) {
      throw new IllegalArgumentException("a random subspace, and only a random one, has a scale: " + kind);
    }
    if (kind == SubspaceKind.CURVE && rank != CURVE_RANK) {
      throw new IllegalArgumentException("a curve subspace has rank " + CURVE_RANK + ", not " + rank);
    }
    if (kind != SubspaceKind.RANDOM) {
      seed = 0;
    }
  }

  /** The leading {@code r} rows of this subspace. */
  public SubspaceSpec withRank(int r) {
    return new SubspaceSpec(kind, r, seed, randomScale);
  }

  @Override
  public int algorithmVersion() {
    return 1;
  }

  @Override
  public StageKind workerKind() {
    return StageKind.SUBSPACE;
  }
}
