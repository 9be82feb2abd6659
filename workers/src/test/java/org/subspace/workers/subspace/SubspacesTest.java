package org.subspace.workers.subspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.subspace.workers.random.Rng;

class SubspacesTest {
  private static final int P = 300;

  private static double dot(float[] flat, int row, double[] v) {
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      s += flat[row * v.length + i] * v[i];
    }
    return s;
  }

  /** Orthonormal directions by Gram-Schmidt on Gaussian vectors. */
  private static double[][] orthonormal(int count, Rng rng) {
    double[][] u = new double[count][P];
    for (int a = 0; a < count; a++) {
      for (int i = 0; i < P; i++) {
        u[a][i] = rng.nextGaussian();
      }
      for (int b = 0; b < a; b++) {
        double d = 0;
        for (int i = 0; i < P; i++) {
          d += u[a][i] * u[b][i];
        }
        for (int i = 0; i < P; i++) {
          u[a][i] -= d * u[b][i];
        }
      }
      double norm = Math.sqrt(Arrays.stream(u[a]).map(x -> x * x).sum());
      for (int i = 0; i < P; i++) {
        u[a][i] /= norm;
      }
    }
    return u;
  }

  @Test
  void pcaRecoversAPlantedThreeDimensionalSubspace() {
    Rng rng = new Rng(1);
    double[][] planted = orthonormal(3, rng);
    double[] scales = {5.0, 2.0, 1.0};
    int k = 12;
    List<float[]> deviations = new ArrayList<>();
    for (int t = 0; t < k; t++) {
      float[] d = new float[P];
      for (int a = 0; a < 3; a++) {
        double c = scales[a] * rng.nextGaussian();
        for (int i = 0; i < P; i++) {
          d[i] += (float) (c * planted[a][i]);
        }
      }
      for (int i = 0; i < P; i++) {
        d[i] += (float) (1e-4 * rng.nextGaussian());
      }
      deviations.add(d);
    }
    Subspace pca = Subspaces.pca(new float[P], deviations, 3);
    float[] rows = pca.projection();
    // Each planted direction lies in the span of the three projection rows (which are
    // orthogonal with norms equal to the singular values).
    for (double[] u : planted) {
      double captured = 0;
      for (int r = 0; r < 3; r++) {
        double c = dot(rows, r, u) / pca.singularValues()[r];
        captured += c * c;
      }
      assertEquals(1.0, captured, 1e-4, "planted direction inside the PCA span");
    }
    for (int r = 0; r < 3; r++) {
      double norm = 0;
      for (int i = 0; i < P; i++) {
        norm += (double) rows[r * P + i] * rows[r * P + i];
      }
      assertEquals(pca.singularValues()[r], Math.sqrt(norm), 1e-4 * pca.singularValues()[r]);
    }
    assertTrue(pca.singularValues()[0] > pca.singularValues()[1] && pca.singularValues()[1] > pca.singularValues()[2]);
  }

  @Test
  void fullRankPcaReconstructsTheScaledCovariance() {
    Rng rng = new Rng(2);
    int k = 6;
    List<float[]> deviations = new ArrayList<>();
    for (int t = 0; t < k; t++) {
      float[] d = new float[P];
      for (int i = 0; i < P; i++) {
        d[i] = (float) rng.nextGaussian();
      }
      deviations.add(d);
    }
    Subspace pca = Subspaces.pca(new float[P], deviations, k);
    // For any v: sum_r (row_r . v)^2 = |A v|^2 with A = D / sqrt(K - 1).
    for (int trial = 0; trial < 5; trial++) {
      double[] v = new double[P];
      for (int i = 0; i < P; i++) {
        v[i] = rng.nextGaussian();
      }
      double viaRows = 0;
      for (int r = 0; r < k; r++) {
        viaRows += Math.pow(dot(pca.projection(), r, v), 2);
      }
      double direct = 0;
      for (float[] d : deviations) {
        double s = 0;
        for (int i = 0; i < P; i++) {
          s += d[i] * v[i];
        }
        direct += s * s / (k - 1);
      }
      assertEquals(direct, viaRows, 1e-4 * direct);
    }
  }

  @Test
  void smallerRanksAreTheLeadingRowsOfALargerOne() {
    Rng rng = new Rng(3);
    List<float[]> deviations = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      float[] d = new float[P];
      for (int i = 0; i < P; i++) {
        d[i] = (float) ((t + 1) * rng.nextGaussian());
      }
      deviations.add(d);
    }
    Subspace five = Subspaces.pca(new float[P], deviations, 5);
    Subspace three = Subspaces.pca(new float[P], deviations, 3);
    assertArrayEquals(three.projection(), five.truncate(3).projection());
    assertArrayEquals(three.singularValues(), five.truncate(3).singularValues());
    assertThrows(IllegalArgumentException.class, () -> Subspaces.pca(new float[P], deviations, 9));
  }

  @Test
  void randomRowsHaveUnitNormAndDependOnTheSeed() {
    Subspace random = Subspaces.random(new float[P], 4, 11);
    for (int r = 0; r < 4; r++) {
      double norm = 0;
      for (int i = 0; i < P; i++) {
        norm += Math.pow(random.projection()[r * P + i], 2);
      }
      assertEquals(1.0, norm, 1e-5);
    }
    assertArrayEquals(random.projection(), Subspaces.random(new float[P], 4, 11).projection());
    assertFalse(Arrays.equals(random.projection(), Subspaces.random(new float[P], 4, 12).projection()));
  }

  @Test
  void weightsAtAddsTheProjectedPoint() {
    float[] mean = {1f, 2f, 3f};
    Subspace s = new Subspace("test", mean, new float[] {1f, 0f, -1f, 0f, 2f, 0f}, 2, new double[0]);
    assertArrayEquals(new float[] {1.5f, 2f - 2f, 2.5f}, s.weightsAt(new double[] {0.5, -1.0}));
  }
}
