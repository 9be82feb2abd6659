package org.subspace.workers.subspace;

import java.util.List;
import org.subspace.workers.random.Rng;

/** Builders of the subspaces of the paper. */
public final class Subspaces {
  private Subspaces() {}

  /**
   * PCA of the SWAG deviations: with {@code A} the K x P deviation matrix scaled by
   * {@code 1/sqrt(K-1)} and {@code A = U S V^T}, the projection is the top {@code rank} rows
   * of {@code S V^T = U^T A}. U and S come exactly from the K x K Gram matrix {@code A A^T}.
   * Signs follow scikit-learn's {@code svd_flip}: the largest entry of each column of U is
   * positive, so results are deterministic and match the reference's.
   */
  public static Subspace pca(float[] mean, List<float[]> deviations, int rank) {
    int k = deviations.size();
    if (k < 2) {
      throw new IllegalArgumentException("PCA needs at least 2 deviations, got " + k);
    }
    if (rank < 1 || rank > k) {
      throw new IllegalArgumentException("PCA rank " + rank + " is not in [1, " + k + "] (the number of deviations)");
    }
    int p = mean.length;
    double scale = 1.0 / Math.sqrt(k - 1.0);
    double[][] gram = new double[k][k];
    for (int i = 0; i < k; i++) {
      float[] a = deviations.get(i);
      for (int j = 0; j <= i; j++) {
        float[] b = deviations.get(j);
        double s = 0.0;
        for (int t = 0; t < p; t++) {
          s += (double) a[t] * b[t];
        }
        gram[i][j] = gram[j][i] = s * scale * scale;
      }
    }
    SymmetricEigen eigen = SymmetricEigen.of(gram);
    float[] projection = new float[rank * p];
    double[] singularValues = new double[rank];
    for (int r = 0; r < rank; r++) {
      singularValues[r] = Math.sqrt(Math.max(eigen.values[r], 0.0));
      double sign = largestEntrySign(eigen.vectors, r);
      double[] row = new double[p];
      for (int i = 0; i < k; i++) {
        double u = sign * eigen.vectors[i][r] * scale;
        float[] d = deviations.get(i);
        for (int t = 0; t < p; t++) {
          row[t] += u * d[t];
        }
      }
      for (int t = 0; t < p; t++) {
        projection[r * p + t] = (float) row[t];
      }
    }
    return new Subspace("pca", mean.clone(), projection, rank, singularValues);
  }

  /** Random directions as in the reference: Gaussian rows, each scaled to unit norm. */
  public static Subspace random(float[] mean, int rank, long seed) {
    if (rank < 1) {
      throw new IllegalArgumentException("random subspace rank must be positive: " + rank);
    }
    int p = mean.length;
    Rng rng = new Rng(Rng.derive(seed, "random-subspace"));
    float[] projection = new float[rank * p];
    for (int r = 0; r < rank; r++) {
      double[] row = new double[p];
      double norm = 0.0;
      for (int t = 0; t < p; t++) {
        row[t] = rng.nextGaussian();
        norm += row[t] * row[t];
      }
      norm = Math.sqrt(norm);
      for (int t = 0; t < p; t++) {
        projection[r * p + t] = (float) (row[t] / norm);
      }
    }
    return new Subspace("random", mean.clone(), projection, rank, new double[0]);
  }

  private static double largestEntrySign(double[][] vectors, int column) {
    double best = 0.0;
    for (double[] row : vectors) {
      if (Math.abs(row[column]) > Math.abs(best)) {
        best = row[column];
      }
    }
    return best < 0 ? -1.0 : 1.0;
  }
}
