package org.subspace.workers.inference;

import java.util.List;
import org.subspace.workers.random.Rng;
import org.subspace.workers.train.SwagMoments;

/**
 * The SWAG baseline: networks drawn from the Gaussian with the SWA mean and covariance
 * {@code scale * (diag(var) + D^T D / (K - 1))}, where var is the diagonal second moment minus
 * the squared mean (floored at 1e-30) and D holds the K kept deviations. The diagonal part is
 * drawn with the standard deviation, as the current reference code does (its 2019 version
 * used the variance itself, a bug fixed since).
 */
public final class SwagSampler {
  private static final double VARIANCE_FLOOR = 1e-30;

  private SwagSampler() {}

  public static float[][] sample(SwagMoments moments, double scale, int count, long seed) {
    double[] mean = moments.mean();
    double[] squareMean = moments.squareMean();
    List<float[]> deviations = moments.deviations();
    int k = deviations.size();
    int p = mean.length;
    double[] std = new double[p];
    for (int i = 0; i < p; i++) {
      std[i] = Math.sqrt(Math.max(squareMean[i] - mean[i] * mean[i], VARIANCE_FLOOR));
    }
    double lowRankScale = k > 1 ? 1 / Math.sqrt(k - 1.0) : 0.0;
    double scaleRoot = Math.sqrt(scale);
    Rng rng = new Rng(Rng.derive(seed, "swag-samples"));
    float[][] samples = new float[count][p];
    for (int s = 0; s < count; s++) {
      double[] w = new double[p];
      for (int i = 0; i < p; i++) {
        w[i] = std[i] * rng.nextGaussian();
      }
      for (float[] deviation : deviations) {
        double c = rng.nextGaussian() * lowRankScale;
        for (int i = 0; i < p; i++) {
          w[i] += c * deviation[i];
        }
      }
      for (int i = 0; i < p; i++) {
        samples[s][i] = (float) (mean[i] + scaleRoot * w[i]);
      }
    }
    return samples;
  }
}
