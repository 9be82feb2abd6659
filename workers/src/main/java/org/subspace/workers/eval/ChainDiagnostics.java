package org.subspace.workers.eval;

/**
 * How far the draws of a Markov chain are from independent ones, for one coordinate of the
 * chain: its autocorrelation by lag and its effective sample size.
 */
public final class ChainDiagnostics {
  private ChainDiagnostics() {}

  /**
   * The sample autocorrelation of {@code x} at lags 0 to {@code maxLag}: the lag-k
   * autocovariance about the series' mean, summed over the n - k pairs but divided by n like the
   * lag-0 variance (the usual estimator, biased towards 0 at long lags but positive definite). A
   * constant series has none: 0 at every lag.
   */
  public static double[] autocorrelation(double[] x, int maxLag) {
    Moments moments = Moments.of(x);
    double[] rho = new double[maxLag + 1];
    for (int k = 0; k <= maxLag; k++) {
      rho[k] = moments.autocorrelation(x, k);
    }
    return rho;
  }

  /**
   * The number of independent draws worth as much as {@code x} for estimating its mean,
   * n / (1 + 2 sum of autocorrelations over lags k >= 1). The sum is over the initial positive
   * sequence (Geyer 1992): pairs of lags (1, 2), (3, 4), ... are added while their sum is
   * positive, since beyond that the estimates are noise that would make the sum wander. It
   * stops at the series' end; it is at most n / 1e-12.
   */
  public static double effectiveSampleSize(double[] x) {
    Moments moments = Moments.of(x);
    double sum = 0;
    // Lags are computed only as far as the sequence reaches, a few times the correlation length.
    for (int k = 1; k + 1 < x.length; k += 2) {
      double pair = moments.autocorrelation(x, k) + moments.autocorrelation(x, k + 1);
      if (pair <= 0) {
        break;
      }
      sum += pair;
    }
    return x.length / Math.max(1e-12, 1 + 2 * sum);
  }

  private record Moments(double mean, double sumOfSquares) {
    static Moments of(double[] x) {
      double mean = 0;
      for (double v : x) {
        mean += v;
      }
      mean /= x.length;
      double sumOfSquares = 0;
      for (double v : x) {
        sumOfSquares += (v - mean) * (v - mean);
      }
      return new Moments(mean, sumOfSquares);
    }

    double autocorrelation(double[] x, int lag) {
      double s = 0;
      for (int i = 0; i + lag < x.length; i++) {
        s += (x[i] - mean) * (x[i + lag] - mean);
      }
      return sumOfSquares > 0 ? s / sumOfSquares : 0;
    }
  }
}
