package org.subspace.workers.eval;

import org.subspace.protocol.RegressionScores;

/**
 * Bayesian model averaging for regression: each of S sampled networks predicts a Gaussian
 * N(mu_s, var_s) per point; the predictive is their equal-weight mixture.
 */
public final class RegressionEvaluation {
  private static final double LOG_TWO_PI = Math.log(2.0 * Math.PI);
  /** Half-width of the central 95% interval of a standard normal. */
  private static final double Z_95 = 1.959963984540054;

  private RegressionEvaluation() {}

  /** Per-point mixture moments: the mean, the total variance and the variance of the means alone. */
  public record Moments(double[] mean, double[] variance, double[] epistemicVariance) {}

  public static Moments moments(float[][] means, float[][] variances) {
    int s = means.length;
    int n = means[0].length;
    double[] mean = new double[n];
    double[] variance = new double[n];
    double[] epistemic = new double[n];
    for (int i = 0; i < n; i++) {
      double m = 0.0;
      double second = 0.0;
      double noise = 0.0;
      for (int k = 0; k < s; k++) {
        m += means[k][i];
        second += (double) means[k][i] * means[k][i];
        noise += variances[k][i];
      }
      m /= s;
      mean[i] = m;
      epistemic[i] = Math.max(second / s - m * m, 0.0);
      variance[i] = epistemic[i] + noise / s;
    }
    return new Moments(mean, variance, epistemic);
  }

  /**
   * Scores against standardized targets {@code y}; {@code yStd} converts to original units.
   * The test log-likelihood is that of the moment-matched Gaussian (as in the reference), the
   * mixture log-likelihood is exact.
   */
  public static RegressionScores score(float[][] means, float[][] variances, float[] y, double yStd) {
    Moments moments = moments(means, variances);
    int n = y.length;
    double logLikelihood = 0.0;
    double mixture = 0.0;
    double squaredError = 0.0;
    int covered = 0;
    for (int i = 0; i < n; i++) {
      double residual = y[i] - moments.mean()[i];
      double variance = moments.variance()[i];
      logLikelihood += -0.5 * (LOG_TWO_PI + Math.log(variance) + residual * residual / variance);
      mixture += mixtureLogDensity(means, variances, i, y[i]);
      squaredError += residual * residual;
      if (Math.abs(residual) <= Z_95 * Math.sqrt(variance)) {
        covered++;
      }
    }
    double logStd = Math.log(yStd);
    double standardizedLl = logLikelihood / n;
    double standardizedRmse = Math.sqrt(squaredError / n);
    return new RegressionScores(standardizedLl - logStd, mixture / n - logStd, standardizedRmse * yStd,
        (double) covered / n, standardizedLl, standardizedRmse, n);
  }

  private static double mixtureLogDensity(float[][] means, float[][] variances, int i, double y) {
    int s = means.length;
    double[] terms = new double[s];
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < s; k++) {
      double r = y - means[k][i];
      double v = variances[k][i];
      terms[k] = -0.5 * (LOG_TWO_PI + Math.log(v) + r * r / v);
      max = Math.max(max, terms[k]);
    }
    double sum = 0.0;
    for (double t : terms) {
      sum += Math.exp(t - max);
    }
    return max + Math.log(sum / s);
  }
}
