package org.subspace.protocol.spec;

/**
 * How to evaluate: {@code draws} samples with replacement (0: every kept sample), an optional
 * 1-D grid for the predictive curve, and how many sampled functions to plot.
 */
public record EvaluationSpec(int draws, GridSpec grid, int plotSamples) {

  public record GridSpec(boolean enabled, double from, double to, int points) {
    public double[] xs() {
      double[] xs = new double[points];
      for (int i = 0; i < points; i++) {
        xs[i] = from + (to - from) * i / (points - 1);
      }
      return xs;
    }
  }
}
