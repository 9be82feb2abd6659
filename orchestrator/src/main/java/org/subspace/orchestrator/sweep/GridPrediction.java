package org.subspace.orchestrator.sweep;

/**
 * The predictive distribution of one configuration on a 1-D grid of inputs, in original
 * units: mean, epistemic std (spread of the sampled functions), std including the noise, and
 * a few sampled functions for plotting.
 */
public record GridPrediction(
    ResultRow row,
    double[] x,
    double[] mean,
    double[] std,
    double[] stdWithNoise,
    double[][] sampleFunctions,
    double[] trainX,
    double[] trainY) {

  /** The epistemic std at the grid point closest to {@code x}. */
  public double stdNear(double x) {
    int best = 0;
    for (int i = 1; i < this.x.length; i++) {
      if (Math.abs(this.x[i] - x) < Math.abs(this.x[best] - x)) {
        best = i;
      }
    }
    return std[best];
  }
}
