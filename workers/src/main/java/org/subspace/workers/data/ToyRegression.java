package org.subspace.workers.data;

import org.subspace.workers.random.Rng;

/**
 * The one-dimensional regression toy, generated: x uniform in three clusters
 * [-7.2, -4.8], [-1.2, 1.2], [4.8, 7.2] (one chosen uniformly per point), y = f(x) + noise
 * with f(x) = 0.278 + 0.352 cos(0.35 x) + 0.0917 x, a smooth curve with the same levels and
 * slopes as the reference's data, and Gaussian noise of standard deviation 0.05.
 */
public final class ToyRegression {
  private static final double[][] CLUSTERS = {{-7.2, -4.8}, {-1.2, 1.2}, {4.8, 7.2}};
  public static final double NOISE_STD = 0.05;
  /** x alone. */
  public static final int INPUT_COLUMNS = 1;

  private ToyRegression() {}

  public static double trueFunction(double x) {
    return 0.278 + 0.352 * Math.cos(0.35 * x) + 0.0917 * x;
  }

  /** {@code points} rows of (x, y) drawn with the given seed. */
  public static Table generate(int points, long seed) {
    Rng rng = new Rng(Rng.derive(seed, "toy-regression"));
    double[][] x = new double[points][INPUT_COLUMNS];
    double[] y = new double[points];
    for (int i = 0; i < points; i++) {
      double[] cluster = CLUSTERS[rng.nextInt(CLUSTERS.length)];
      x[i][0] = cluster[0] + (cluster[1] - cluster[0]) * rng.nextDouble();
      y[i] = trueFunction(x[i][0]) + NOISE_STD * rng.nextGaussian();
    }
    return new Table(x, y, "generated toy regression (seed " + seed + ")");
  }
}
