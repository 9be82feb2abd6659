package org.subspace.workers.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.subspace.protocol.RegressionScores;
import org.subspace.workers.random.Rng;

class RegressionEvaluationTest {

  private static double logNormal(double y, double mean, double variance) {
    return -0.5 * Math.log(2 * Math.PI * variance) - 0.5 * (y - mean) * (y - mean) / variance;
  }

  @Test
  void twoNetworksAreMomentMatchedAndScoredExactly() {
    float[][] means = {{1f, 0.5f}, {-1f, 0.5f}};
    float[][] variances = {{1f, 0.2f}, {1f, 0.2f}};
    float[] y = {0.3f, 0.0f};
    double yStd = 2.0;
    RegressionScores s = RegressionEvaluation.score(means, variances, y, yStd);
    // Point 1: mixture of N(1,1) and N(-1,1) has mean 0 and variance 1 + 1 = 2.
    double matched = (logNormal(0.3, 0, 2) + logNormal(0, 0.5, 0.2)) / 2;
    double mixture = (Math.log(0.5 * Math.exp(logNormal(0.3, 1, 1)) + 0.5 * Math.exp(logNormal(0.3, -1, 1)))
        + logNormal(0, 0.5, 0.2)) / 2;
    assertEquals(matched, s.standardizedLogLikelihood(), 1e-6);
    assertEquals(matched - Math.log(yStd), s.testLogLikelihood(), 1e-6);
    assertEquals(mixture - Math.log(yStd), s.mixtureLogLikelihood(), 1e-6);
    double rmse = Math.sqrt((0.3 * 0.3 + 0.5 * 0.5) / 2);
    assertEquals(rmse, s.standardizedRmse(), 1e-6);
    assertEquals(rmse * yStd, s.rmse(), 1e-6);
    // |0.3| < 1.96 sqrt(2) and |0.5| < 1.96 sqrt(0.2): both covered.
    assertEquals(1.0, s.coverage95());
  }

  @Test
  void coverageOfACalibratedPredictiveIsNinetyFivePercent() {
    int n = 20_000;
    Rng rng = new Rng(77);
    float[][] means = new float[1][n];
    float[][] variances = new float[1][n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      means[0][i] = (float) rng.nextGaussian();
      variances[0][i] = 0.25f;
      y[i] = (float) (means[0][i] + 0.5 * rng.nextGaussian());
    }
    RegressionScores s = RegressionEvaluation.score(means, variances, y, 1.0);
    double binomialSd = Math.sqrt(0.95 * 0.05 / n);
    assertEquals(0.95, s.coverage95(), 4 * binomialSd);
    // The expected log density of N(0, 0.25) at its own samples is -0.5 log(2 pi e 0.25).
    double entropy = 0.5 * Math.log(2 * Math.PI * Math.E * 0.25);
    assertEquals(-entropy, s.testLogLikelihood(), 4 * Math.sqrt(0.5 / n));
  }
}
