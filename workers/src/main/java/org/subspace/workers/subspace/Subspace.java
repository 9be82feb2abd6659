package org.subspace.workers.subspace;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * An affine subspace of weight space, {@code w = mean + P^T z}: the centre (length P) and the
 * projection's rows (rank x P, row-major). For PCA subspaces the rows are ordered by their
 * singular values, so the rank-r subspace is the first r rows of a larger one.
 *
 * @param singularValues the rows' norms: PCA's singular values, the scales of random rows, the
 *     lengths of the curve plane's two directions
 */
public record Subspace(float[] mean, float[] projection, int rank, double[] singularValues) {

  public Subspace {
    if (rank < 1 || projection.length != (long) rank * mean.length) {
      throw new IllegalArgumentException(
          "projection of " + projection.length + " values does not hold " + rank + " rows of " + mean.length);
    }
  }

  public int parameters() {
    return mean.length;
  }

  /**
   * The projection as a (rank, P) array of {@code manager}'s, filled a row at a time: a
   * projection of gigabytes never needs one buffer of its size (a Java buffer stops at 2 GiB).
   */
  public NDArray projectionArray(NDManager manager) {
    int p = mean.length;
    NDArray rows = manager.zeros(new Shape(rank, p));
    for (int r = 0; r < rank; r++) {
      try (NDArray row = manager.create(FloatBuffer.wrap(projection, r * p, p), new Shape(p))) {
        rows.set(new NDIndex(r), row);
      }
    }
    return rows;
  }

  /** The subspace spanned by the first {@code r} rows. */
  public Subspace truncate(int r) {
    if (r < 1 || r > rank) {
      throw new IllegalArgumentException("rank " + r + " is not in [1, " + rank + "]");
    }
    return new Subspace(mean, Arrays.copyOf(projection, r * mean.length), r,
        Arrays.copyOf(singularValues, Math.min(r, singularValues.length)));
  }

  /** The weights {@code mean + P^T z} for one point z of the subspace. */
  public float[] weightsAt(double[] z) {
    if (z.length != rank) {
      throw new IllegalArgumentException("z has " + z.length + " coordinates, the subspace rank is " + rank);
    }
    int p = mean.length;
    float[] w = mean.clone();
    for (int k = 0; k < rank; k++) {
      double zk = z[k];
      for (int i = 0, row = k * p; i < p; i++) {
        w[i] += (float) (zk * projection[row + i]);
      }
    }
    return w;
  }
}
