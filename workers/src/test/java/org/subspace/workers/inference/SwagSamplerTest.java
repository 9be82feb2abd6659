package org.subspace.workers.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.subspace.workers.random.Rng;
import org.subspace.workers.train.SwagMoments;

/** SWAG draws have the SWA mean and covariance scale * (diag(var) + D^T D / (K - 1)). */
class SwagSamplerTest {

  @Test
  void drawsHaveTheSwagMeanAndCovariance() {
    int p = 4;
    int keep = 3;
    SwagMoments moments = new SwagMoments(p, keep);
    Rng rng = new Rng(4);
    for (int t = 0; t < 12; t++) {
      float[] w = new float[p];
      for (int i = 0; i < p; i++) {
        w[i] = (float) (i + (i + 1) * 0.3 * rng.nextGaussian());
      }
      moments.collect(w);
    }
    double scale = 0.5;
    int count = 40_000;
    float[][] draws = SwagSampler.sample(moments, scale, count, 9);

    double[] mean = moments.mean();
    double[] square = moments.squareMean();
    List<float[]> deviations = moments.deviations();
    double[][] expected = new double[p][p];
    for (int a = 0; a < p; a++) {
      for (int b = 0; b < p; b++) {
        double lowRank = 0;
        for (float[] d : deviations) {
          lowRank += (double) d[a] * d[b] / (keep - 1);
        }
        expected[a][b] = scale * (lowRank + (a == b ? square[a] - mean[a] * mean[a] : 0));
      }
    }
    for (int a = 0; a < p; a++) {
      double sampleMean = 0;
      for (float[] w : draws) {
        sampleMean += w[a] / count;
      }
      // Standard error of a mean of `count` draws.
      assertEquals(mean[a], sampleMean, 5 * Math.sqrt(expected[a][a] / count), "mean " + a);
      for (int b = 0; b < p; b++) {
        double covariance = 0;
        for (float[] w : draws) {
          covariance += (w[a] - mean[a]) * (w[b] - mean[b]) / count;
        }
        // Standard error of a Gaussian covariance estimate: sqrt((S_ab^2 + S_aa S_bb) / count).
        double error = Math.sqrt((expected[a][b] * expected[a][b] + expected[a][a] * expected[b][b]) / count);
        assertEquals(expected[a][b], covariance, 5 * error, "covariance " + a + "," + b);
      }
    }
  }
}
