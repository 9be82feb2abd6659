package org.subspace.workers.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
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

  /** The exact tempered posterior's precision matrix. */
  private double[][] precision(double temperature) {
    double[][] precision = new double[D][D];
    for (int a = 0; a < D; a++) {
      for (int b = 0; b < D; b++) {
        for (int i = 0; i < N; i++) {
          precision[a][b] += x[i][a] * x[i][b] / (NOISE * NOISE * temperature);
        }
      }
      precision[a][a] += 1 / (PRIOR_STD * PRIOR_STD);
    }
    return precision;
  }

  /** The exact tempered posterior's mean. */
  private double[] posteriorMean(double temperature) {
    double[] rhs = new double[D];
    for (int a = 0; a < D; a++) {
      for (int i = 0; i < N; i++) {
        rhs[a] += x[i][a] * y[i] / (NOISE * NOISE * temperature);
      }
    }
    return solve(precision(temperature), rhs);
  }

  @Test
  void aNonFiniteLossFailsTheFitInsteadOfReturningAPosterior() {
    VariationalInference vi = new VariationalInference(
        new VariationalInference.Settings(50, N, 0.001, -3, PRIOR_STD, 1.0, false));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> vi.fit(D, N, (z, rows, gradient) -> Double.NaN, 7));
    assertEquals("variational inference diverged: the loss is NaN after epoch 1 (lower inference.vi.lr)",
        e.getMessage());
  }

  @ParameterizedTest(name = "T = {0}")
  @ValueSource(doubles = {1.0, 10.0})
  void recoversTheMeanAndTheInverseDiagonalPrecision(double temperature) {
    double[][] precision = precision(temperature);
    double[] mean = posteriorMean(temperature);

    // Full batches and many small Adam steps, so the optimiser's noise is far below the tolerances.
    VariationalInference vi = new VariationalInference(
        new VariationalInference.Settings(20_000, N, 0.001, -3, PRIOR_STD, temperature, false));
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

  /**
   * The full-covariance family contains the Gaussian posterior, so its optimum is the posterior
   * itself: mean and the whole covariance (correlations included, which the diagonal family
   * cannot express) match the exact ones.
   */
  @ParameterizedTest(name = "T = {0}")
  @ValueSource(doubles = {1.0, 10.0})
  void theFullCovarianceFamilyRecoversTheWholePosteriorCovariance(double temperature) {
    double[][] covariance = new double[D][];
    double[][] precision = precision(temperature);
    for (int j = 0; j < D; j++) {
      double[] unit = new double[D];
      unit[j] = 1;
      covariance[j] = solve(precision, unit);
    }
    double[] mean = posteriorMean(temperature);
    VariationalInference.Posterior q = new VariationalInference(
        new VariationalInference.Settings(20_000, N, 0.001, -3, PRIOR_STD, temperature, true)).fit(D, N, this::objective, 7);
    double[][] fitted = new double[D][D];
    for (int a = 0; a < D; a++) {
      for (int b = 0; b < D; b++) {
        for (int k = 0; k < D; k++) {
          fitted[a][b] += q.scale()[a][k] * q.scale()[b][k];
        }
      }
    }
    for (int a = 0; a < D; a++) {
      double sd = Math.sqrt(covariance[a][a]);
      assertEquals(mean[a], q.mean()[a], 0.1 * sd, "mean " + a);
      for (int b = 0; b < D; b++) {
        double scale = Math.sqrt(covariance[a][a] * covariance[b][b]);
        assertEquals(covariance[a][b], fitted[a][b], 0.1 * scale, "covariance " + a + "," + b);
      }
    }
    assertTrue(Math.abs(covariance[0][1]) / Math.sqrt(covariance[0][0] * covariance[1][1]) > 0.1,
        "the posterior is correlated, so the check sees the off-diagonal");
  }

  /**
   * The ELBO rises as VI fits (its loss, the negative ELBO per row, falls from the first tenth
   * of the epochs to the last), and the fitted mean approaches the posterior mean that ESS
   * samples on the same conjugate problem: within the ESS chain's Monte Carlo error plus the
   * optimiser's (a tenth of a posterior sd).
   */
  @ParameterizedTest(name = "full covariance: {0}")
  @ValueSource(booleans = {false, true})
  void theElboIncreasesAndTheMeanApproachesTheEssPosteriorMean(boolean fullCovariance) {
    double temperature = 2.0;
    VariationalInference.Posterior q = new VariationalInference(new VariationalInference.Settings(
        20_000, N, 0.001, -3, PRIOR_STD, temperature, fullCovariance)).fit(D, N, this::objective, 3);
    List<Double> losses = q.epochLosses();
    int tenth = losses.size() / 10;
    double first = losses.subList(0, tenth).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = losses.subList(losses.size() - tenth, losses.size()).stream().mapToDouble(Double::doubleValue)
        .average().orElseThrow();
    assertTrue(last < first, "the negative ELBO fell from " + first + " to " + last);

    int[] all = new int[N];
    Arrays.setAll(all, i -> i);
    EllipticalSliceSampler.LogLikelihood logLikelihood = z -> -N * objective(z, all, new double[D]);
    EllipticalSliceSampler ess = new EllipticalSliceSampler(
        new EllipticalSliceSampler.Settings(20_000, 200, 1, PRIOR_STD, temperature));
    List<double[]> chain = ess.run(ess.start(new double[D], 5, logLikelihood), logLikelihood, null).samples();
    double[][] precision = precision(temperature);
    for (int j = 0; j < D; j++) {
      int i = j;
      double[] essMean = MonteCarlo.meanAndError(chain.stream().mapToDouble(z -> z[i]).toArray());
      double sd = 1 / Math.sqrt(precision[j][j]);
      assertEquals(essMean[0], q.mean()[j], MonteCarlo.Z * essMean[1] + 0.1 * sd, "mean " + j);
    }
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
