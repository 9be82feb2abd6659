package org.subspace.workers.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.subspace.workers.random.Rng;

/**
 * The diagnostics on AR(1) series x_t = rho x_{t-1} + e_t, whose autocorrelation at lag k is
 * rho^k and whose effective sample size is n (1 - rho) / (1 + rho); tolerances are 5 standard
 * errors of the estimates, from their large-sample variances.
 */
class ChainDiagnosticsTest {
  private static final double Z = 5.0;
  private static final double RHO = 0.6;

  /** A stationary AR(1) series with unit innovations: it starts from its stationary N(0, 1 / (1 - rho^2)). */
  private static double[] ar1(Rng rng, int n) {
    double[] x = new double[n];
    x[0] = rng.nextGaussian() / Math.sqrt(1 - RHO * RHO);
    for (int t = 1; t < n; t++) {
      x[t] = RHO * x[t - 1] + rng.nextGaussian();
    }
    return x;
  }

  @Test
  void theAutocorrelationOfAnAr1SeriesIsRhoToTheLag() {
    int n = 50_000;
    double[] rho = ChainDiagnostics.autocorrelation(ar1(new Rng(41), n), 10);
    assertEquals(11, rho.length);
    assertEquals(1.0, rho[0], 1e-12);
    for (int k = 1; k < rho.length; k++) {
      // Bartlett's formula for the variance of the lag-k sample autocorrelation of an AR(1) series.
      double r2k = Math.pow(RHO, 2 * k);
      double variance = ((1 + RHO * RHO) * (1 - r2k) / (1 - RHO * RHO) - 2 * k * r2k) / n;
      assertEquals(Math.pow(RHO, k), rho[k], Z * Math.sqrt(variance), "lag " + k);
    }
  }

  @Test
  void theEffectiveSampleSizeOfAnAr1SeriesIsNTimesOneMinusRhoOverOnePlusRho() {
    int n = 400_000;
    double expected = n * (1 - RHO) / (1 + RHO);
    // Sokal's variance of an autocorrelation time summed over a window of M lags, 2 (2M + 1) tau^2 / n,
    // with M = 20: the pairs fall below their noise (about 0.003 here) near lag 12, where the sum stops.
    int window = 20;
    double relativeError = Math.sqrt(2.0 * (2 * window + 1) / n);
    assertEquals(expected, ChainDiagnostics.effectiveSampleSize(ar1(new Rng(42), n)), Z * relativeError * expected);
  }

  @Test
  void aConstantSeriesHasNoAutocorrelationAndCountsInFull() {
    double[] x = {2, 2, 2, 2, 2};
    assertEquals(0.0, ChainDiagnostics.autocorrelation(x, 2)[1]);
    assertEquals(5.0, ChainDiagnostics.effectiveSampleSize(x));
  }
}
