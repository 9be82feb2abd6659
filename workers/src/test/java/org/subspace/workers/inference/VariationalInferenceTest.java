package org.subspace.workers.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.subspace.workers.random.Rng;

/**
 * VI against a Bayesian linear regression: for a Gaussian target the best diagonal Gaussian
 * (in KL(q || p)) has the posterior's mean and variances 1 / Lambda_ii, the inverse diagonal of
 * the posterior precision. With temperature T the target is exp(-NLL / T) times the prior.
 */
class VariationalInferenceTest {
  private static final int D = 3;
  private static final int N = 60;
  private static final double NOISE = 0.5;
  private static final double PRIOR_STD = 1.0;

  private final double[][] x = new double[N][D];
  private final double[] y = new double[N];

  VariationalInferenceTest() {
    Rng rng = new Rng(31);
    double[] beta = {0.8, -0.4, 0.2};
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < D; j++) {
        x[i][j] = rng.nextGaussian() * (j + 1) * 0.5;
        y[i] += x[i][j] * beta[j];
      }
      y[i] += NOISE * rng.nextGaussian();
    }
  }

  /** Mean NLL of the rows and its gradient in z. */
  private double objective(double[] z, int[] rows, double[] gradient) {
    Arrays.fill(gradient, 0);
    double nll = 0;
    for (int i : rows) {
      double r = y[i];
      for (int j = 0; j < D; j++) {
        r -= x[i][j] * z[j];
      }
      nll += 0.5 * r * r / (NOISE * NOISE) + 0.5 * Math.log(2 * Math.PI * NOISE * NOISE);
      for (int j = 0; j < D; j++) {
        gradient[j] -= r * x[i][j] / (NOISE * NOISE) / rows.length;
      }
    }
    return nll / rows.length;
  }

  @ParameterizedTest(name = "T = {0}")
  @ValueSource(doubles = {1.0, 10.0})
  void recoversTheMeanAndTheInverseDiagonalPrecision(double temperature) {
    double[][] precision = new double[D][D];
    double[] rhs = new double[D];
    for (int a = 0; a < D; a++) {
      for (int b = 0; b < D; b++) {
        for (int i = 0; i < N; i++) {
          precision[a][b] += x[i][a] * x[i][b] / (NOISE * NOISE * temperature);
        }
      }
      precision[a][a] += 1 / (PRIOR_STD * PRIOR_STD);
      for (int i = 0; i < N; i++) {
        rhs[a] += x[i][a] * y[i] / (NOISE * NOISE * temperature);
      }
    }
    double[] mean = solve(precision, rhs);

    // Full batches and many small Adam steps, so the optimiser's noise is far below the tolerances.
    VariationalInference vi = new VariationalInference(
        new VariationalInference.Settings(20_000, N, 0.001, -3, PRIOR_STD, temperature));
    VariationalInference.Posterior q = vi.fit(D, N, this::objective, 7);
    for (int j = 0; j < D; j++) {
      double sigma = 1 / Math.sqrt(precision[j][j]);
      assertEquals(mean[j], q.mean()[j], 0.1 * sigma, "mean " + j);
      assertEquals(sigma, q.sigma()[j], 0.1 * sigma, "sigma " + j);
    }
    List<Double> losses = q.epochLosses();
    assertTrue(losses.get(losses.size() - 1) < losses.get(0), "the loss went down");
    assertEquals(20_000, q.gradientEvaluations());
  }

  private static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] m = new double[n][n + 1];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, m[i], 0, n);
      m[i][n] = b[i];
    }
    for (int c = 0; c < n; c++) {
      for (int r = c + 1; r < n; r++) {
        double f = m[r][c] / m[c][c];
        for (int k = c; k <= n; k++) {
          m[r][k] -= f * m[c][k];
        }
      }
    }
    double[] z = new double[n];
    for (int r = n - 1; r >= 0; r--) {
      double s = m[r][n];
      for (int k = r + 1; k < n; k++) {
        s -= m[r][k] * z[k];
      }
      z[r] = s / m[r][r];
    }
    return z;
  }
}
