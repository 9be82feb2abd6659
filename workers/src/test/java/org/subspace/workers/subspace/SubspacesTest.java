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
  void theBlockedGramIsTheStraightSumBitForBit() {
    Rng rng = new Rng(41);
    int p = 3 * 4096 + 123;
    for (int k : new int[] {2, 7, 20}) {
      List<float[]> deviations = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        float[] d = new float[p];
        for (int t = 0; t < p; t++) {
          d[t] = (float) (rng.nextGaussian() * Math.exp(-t / 5000.0));
        }
        deviations.add(d);
      }
      double[][] gram = Subspaces.gram(deviations, p);
      for (int i = 0; i < k; i++) {
        for (int j = 0; j <= i; j++) {
          double straight = 0.0;
          for (int t = 0; t < p; t++) {
            straight += (double) deviations.get(i)[t] * deviations.get(j)[t];
          }
          assertEquals(Double.doubleToLongBits(straight), Double.doubleToLongBits(gram[i][j]), k + ": " + i + "," + j);
        }
      }
    }
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
  void randomRowsAreOrthogonalScaledAsAskedAndDependOnTheSeed() {
    double[] scales = {3.0, 2.0, 0.5, 1.0};
    Subspace random = Subspaces.random(new float[P], 4, 11, scales);
    for (int r = 0; r < 4; r++) {
      for (int q = 0; q <= r; q++) {
        double dot = 0;
        for (int i = 0; i < P; i++) {
          dot += (double) random.projection()[r * P + i] * random.projection()[q * P + i];
        }
        assertEquals(q == r ? scales[r] * scales[r] : 0.0, dot, 1e-5 * scales[r] * scales[q], "row " + r + " . row " + q);
      }
    }
    Subspace unit = Subspaces.random(new float[P], 4, 11);
    assertEquals(1.0, unit.singularValues()[3]);
    assertArrayEquals(unit.projection(), Subspaces.random(new float[P], 4, 11).projection());
    assertFalse(Arrays.equals(unit.projection(), Subspaces.random(new float[P], 4, 12).projection()));
  }

  /**
   * The curve plane holds the two ends, the curve's midpoint (and so the middle control point) exactly; its directions are
   * orthogonal with norms |end - start| / sqrt(3) and |v| / 1.5, as in the reference.
   */
  @Test
  void theCurvePlaneHoldsTheEndsAndTheCurvesMidpoint() {
    Rng rng = new Rng(5);
    float[] start = new float[P];
    float[] middle = new float[P];
    float[] end = new float[P];
    for (int i = 0; i < P; i++) {
      start[i] = (float) rng.nextGaussian();
      middle[i] = (float) rng.nextGaussian();
      end[i] = (float) rng.nextGaussian();
    }
    Subspace plane = Subspaces.curve(start, middle, end);
    float[] midpoint = new float[P];
    double distance = 0;
    for (int i = 0; i < P; i++) {
      midpoint[i] = 0.25f * (start[i] + end[i]) + 0.5f * middle[i];
      distance += Math.pow(end[i] - start[i], 2);
    }
    float[] elsewhere = new float[P];
    for (int i = 0; i < P; i++) {
      elsewhere[i] = (float) rng.nextGaussian();
    }
    for (float[] point : List.of(start, midpoint, end, middle)) {
      assertEquals(0.0, distanceToPlane(plane, point), 1e-4, "the point lies in the plane");
    }
    double dot = 0;
    for (int i = 0; i < P; i++) {
      dot += (double) plane.projection()[i] * plane.projection()[P + i];
    }
    assertEquals(0.0, dot, 1e-4);
    assertEquals(Math.sqrt(distance / 3), plane.singularValues()[0], 1e-4);
    assertTrue(distanceToPlane(plane, elsewhere) > 1, "the check can fail: another point is off the plane");
  }

  /** |w - mean - P^T z*| for the least-squares z* (the rows are orthogonal). */
  private static double distanceToPlane(Subspace plane, float[] w) {
    double[] z = new double[plane.rank()];
    for (int k = 0; k < plane.rank(); k++) {
      double dot = 0;
      double squared = 0;
      for (int i = 0; i < P; i++) {
        double row = plane.projection()[k * P + i];
        dot += row * (w[i] - plane.mean()[i]);
        squared += row * row;
      }
      z[k] = dot / squared;
    }
    float[] projected = plane.weightsAt(z);
    double residual = 0;
    for (int i = 0; i < P; i++) {
      residual += Math.pow(w[i] - projected[i], 2);
    }
    return Math.sqrt(residual);
  }

  @Test
  void weightsAtAddsTheProjectedPoint() {
    float[] mean = {1f, 2f, 3f};
    Subspace s = new Subspace(mean, new float[] {1f, 0f, -1f, 0f, 2f, 0f}, 2, new double[0]);
    assertArrayEquals(new float[] {1.5f, 2f - 2f, 2.5f}, s.weightsAt(new double[] {0.5, -1.0}));
  }
}
