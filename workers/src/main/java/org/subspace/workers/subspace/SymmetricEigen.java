package org.subspace.workers.subspace;

import java.util.Arrays;

/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: exact to
 * machine precision, and plenty fast for the K x K Gram matrices of SWAG (K is 10 to 100).
 */
final class SymmetricEigen {
  private static final int MAX_SWEEPS = 100;

  /** Eigenvalues in descending order. */
  final double[] values;
  /** Eigenvectors as columns: {@code vectors[i][k]} is entry i of eigenvector k. */
  final double[][] vectors;

  private SymmetricEigen(double[] values, double[][] vectors) {
    this.values = values;
    this.vectors = vectors;
  }

  static SymmetricEigen of(double[][] matrix) {
    int n = matrix.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = matrix[i].clone();
    }
    double[][] v = new double[n][n];
    for (int i = 0; i < n; i++) {
      v[i][i] = 1.0;
    }
    for (int sweep = 0; sweep < MAX_SWEEPS && offDiagonalNorm(a) > 1e-30 * diagonalNorm(a); sweep++) {
      for (int p = 0; p < n - 1; p++) {
        for (int q = p + 1; q < n; q++) {
          if (a[p][q] != 0.0) {
            rotate(a, v, p, q);
          }
        }
      }
    }
    return sorted(a, v);
  }

  private static void rotate(double[][] a, double[][] v, int p, int q) {
    int n = a.length;
    double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1.0));
    if (theta == 0.0) {
      t = 1.0;
    }
    double c = 1.0 / Math.sqrt(t * t + 1.0);
    double s = t * c;
    for (int k = 0; k < n; k++) {
      double akp = a[k][p];
      double akq = a[k][q];
      a[k][p] = c * akp - s * akq;
      a[k][q] = s * akp + c * akq;
    }
    for (int k = 0; k < n; k++) {
      double apk = a[p][k];
      double aqk = a[q][k];
      a[p][k] = c * apk - s * aqk;
      a[q][k] = s * apk + c * aqk;
    }
    for (int k = 0; k < n; k++) {
      double vkp = v[k][p];
      double vkq = v[k][q];
      v[k][p] = c * vkp - s * vkq;
      v[k][q] = s * vkp + c * vkq;
    }
  }

  private static SymmetricEigen sorted(double[][] a, double[][] v) {
    int n = a.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (i, j) -> Double.compare(a[j][j], a[i][i]));
    double[] values = new double[n];
    double[][] vectors = new double[n][n];
    for (int k = 0; k < n; k++) {
      values[k] = a[order[k]][order[k]];
      for (int i = 0; i < n; i++) {
        vectors[i][k] = v[i][order[k]];
      }
    }
    return new SymmetricEigen(values, vectors);
  }

  private static double offDiagonalNorm(double[][] a) {
    double s = 0.0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a.length; j++) {
        if (i != j) {
          s += a[i][j] * a[i][j];
        }
      }
    }
    return s;
  }

  private static double diagonalNorm(double[][] a) {
    double s = Double.MIN_NORMAL;
    for (int i = 0; i < a.length; i++) {
      s += a[i][i] * a[i][i];
    }
    return s;
  }
}
