package org.subspace.workers.subspace;

import java.util.Arrays;
import java.util.List;
import org.subspace.workers.random.Rng;

/** Builders of the subspaces of the paper. */
public final class Subspaces {
  /** Weights handled at a time by the PCA's passes: a block of every deviation fits in cache. */
  private static final int BLOCK = 4096;

  private Subspaces() {}

  /**
   * The K x K Gram matrix of the deviations (lower triangle and diagonal filled), each entry
   * summed in double over t = 0..P-1 in order, block by block of t so that each block of the
   * deviations is read from memory once for all pairs; four pairs share a pass for
   * instruction-level parallelism. Every entry is the same sum, in the same order, as a
   * straight loop over t.
   */
  static double[][] gram(List<float[]> deviations, int p) {
    int k = deviations.size();
    double[][] gram = new double[k][k];
    for (int from = 0; from < p; from += BLOCK) {
      int to = Math.min(p, from + BLOCK);
      for (int i = 0; i < k; i++) {
        float[] a = deviations.get(i);
        int j = 0;
        for (; j + 3 <= i; j += 4) {
          float[] b0 = deviations.get(j);
          float[] b1 = deviations.get(j + 1);
          float[] b2 = deviations.get(j + 2);
          float[] b3 = deviations.get(j + 3);
          double s0 = gram[i][j];
          double s1 = gram[i][j + 1];
          double s2 = gram[i][j + 2];
          double s3 = gram[i][j + 3];
          for (int t = from; t < to; t++) {
            double x = a[t];
            s0 += x * b0[t];
            s1 += x * b1[t];
            s2 += x * b2[t];
            s3 += x * b3[t];
          }
          gram[i][j] = s0;
          gram[i][j + 1] = s1;
          gram[i][j + 2] = s2;
          gram[i][j + 3] = s3;
        }
        for (; j <= i; j++) {
          float[] b = deviations.get(j);
          double s = gram[i][j];
          for (int t = from; t < to; t++) {
            s += (double) a[t] * b[t];
          }
          gram[i][j] = s;
        }
      }
    }
    return gram;
  }

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
    double[][] gram = gram(deviations, p);
    for (int i = 0; i < k; i++) {
      for (int j = 0; j <= i; j++) {
        gram[i][j] = gram[j][i] = gram[i][j] * scale * scale;
      }
    }
    SymmetricEigen eigen = SymmetricEigen.of(gram);
    double[] singularValues = new double[rank];
    double[][] weights = new double[rank][k];
    for (int r = 0; r < rank; r++) {
      singularValues[r] = Math.sqrt(Math.max(eigen.values[r], 0.0));
      double sign = largestEntrySign(eigen.vectors, r);
      for (int i = 0; i < k; i++) {
        weights[r][i] = sign * eigen.vectors[i][r] * scale;
      }
    }
    float[] projection = new float[rank * p];
    // Row r is sum_i weights[r][i] * d_i, added in the order i = 0..k-1 for every t, block by
    // block of t so that the deviations' block stays in cache for all rows (at CIFAR scale a
    // row-at-a-time pass rereads gigabytes per row); the sums are the same bit for bit.
    double[] block = new double[BLOCK];
    for (int from = 0; from < p; from += BLOCK) {
      int to = Math.min(p, from + BLOCK);
      for (int r = 0; r < rank; r++) {
        Arrays.fill(block, 0.0);
        for (int i = 0; i < k; i++) {
          double u = weights[r][i];
          float[] d = deviations.get(i);
          for (int t = from; t < to; t++) {
            block[t - from] += u * d[t];
          }
        }
        for (int t = from; t < to; t++) {
          projection[r * p + t] = (float) block[t - from];
        }
      }
    }
    return new Subspace(mean.clone(), projection, rank, singularValues);
  }

  /**
   * Random directions: Gaussian rows, orthonormalised (Gram-Schmidt), then row r scaled to
   * {@code rowScales[r]}: all 1 for unit directions, or the PCA's singular values of the same
   * training so that z has the same meaning as in the PCA subspace. Centred on {@code mean}.
   */
  public static Subspace random(float[] mean, int rank, long seed, double[] rowScales) {
    if (rank < 1) {
      throw new IllegalArgumentException("random subspace rank must be positive: " + rank);
    }
    if (rowScales.length != rank) {
      throw new IllegalArgumentException(rowScales.length + " row scales for rank " + rank);
    }
    int p = mean.length;
    if (rank > p) {
      throw new IllegalArgumentException("random subspace rank " + rank + " exceeds the " + p + " weights");
    }
    Rng rng = new Rng(Rng.derive(seed, "random-subspace"));
    double[][] rows = new double[rank][p];
    for (int r = 0; r < rank; r++) {
      for (int t = 0; t < p; t++) {
        rows[r][t] = rng.nextGaussian();
      }
      for (int q = 0; q < r; q++) {
        subtractProjection(rows[r], rows[q]);
      }
      scale(rows[r], 1.0 / norm(rows[r]));
    }
    float[] projection = new float[rank * p];
    for (int r = 0; r < rank; r++) {
      for (int t = 0; t < p; t++) {
        projection[r * p + t] = (float) (rows[r][t] * rowScales[r]);
      }
    }
    return new Subspace(mean.clone(), projection, rank, rowScales.clone());
  }

  /** Unit-norm random directions. */
  public static Subspace random(float[] mean, int rank, long seed) {
    double[] ones = new double[rank];
    Arrays.fill(ones, 1.0);
    return random(mean, rank, seed, ones);
  }

  /**
   * The plane of a quadratic Bezier curve {@code start -> middle -> end}, as the reference
   * builds it: the middle control point is replaced by the curve's midpoint
   * {@code (start + end) / 4 + middle / 2}, the centre is the mean of the three points,
   * {@code u = end - start} and {@code v = midpoint - start} with its component along u removed,
   * and the directions are scaled by {@code 1/sqrt(3)} and {@code 1/1.5}, so that the three points
   * sit at z of order 1.
   */
  public static Subspace curve(float[] start, float[] middle, float[] end) {
    int p = start.length;
    if (middle.length != p || end.length != p) {
      throw new IllegalArgumentException("curve control points have " + p + ", " + middle.length + " and "
          + end.length + " weights");
    }
    double[] midpoint = new double[p];
    double[] u = new double[p];
    double[] v = new double[p];
    float[] centre = new float[p];
    for (int t = 0; t < p; t++) {
      midpoint[t] = 0.25 * (start[t] + end[t]) + 0.5 * middle[t];
      centre[t] = (float) ((start[t] + midpoint[t] + end[t]) / 3);
      u[t] = end[t] - start[t];
      v[t] = midpoint[t] - start[t];
    }
    subtractProjection(v, u);
    scale(u, 1 / Math.sqrt(3.0));
    scale(v, 1 / 1.5);
    float[] projection = new float[2 * p];
    for (int t = 0; t < p; t++) {
      projection[t] = (float) u[t];
      projection[p + t] = (float) v[t];
    }
    return new Subspace(centre, projection, 2, new double[] {norm(u), norm(v)});
  }

  /** Removes from {@code row} its component along {@code direction}. */
  private static void subtractProjection(double[] row, double[] direction) {
    double dot = 0;
    double squared = 0;
    for (int t = 0; t < row.length; t++) {
      dot += row[t] * direction[t];
      squared += direction[t] * direction[t];
    }
    for (int t = 0; t < row.length; t++) {
      row[t] -= dot / squared * direction[t];
    }
  }

  private static double norm(double[] row) {
    double s = 0;
    for (double value : row) {
      s += value * value;
    }
    return Math.sqrt(s);
  }

  private static void scale(double[] row, double factor) {
    for (int t = 0; t < row.length; t++) {
      row[t] *= factor;
    }
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
