package org.subspace.workers.eval;

import java.util.Arrays;

/**
 * Scores of a Bayesian model average for classification: the class probabilities of every
 * sampled network are averaged (BMA), then accuracy, NLL (mean -log p(y)), expected
 * calibration error (15 equal-width confidence bins, |accuracy - confidence| weighted by the
 * bin's share, as Guo et al.) and the Brier score (mean over points of the squared distance
 * between the probability vector and the one-hot label).
 */
public final class ClassificationEvaluation {
  private ClassificationEvaluation() {}

  public static final int CALIBRATION_BINS = 15;

  public record Scores(double accuracy, double nll, double ece, double brier, int points) {}

  /** The mean of {@code probabilities[s][i][k]} over the networks s. */
  public static double[][] average(float[][][] probabilities) {
    int points = probabilities[0].length;
    int classes = probabilities[0][0].length;
    double[][] mean = new double[points][classes];
    for (float[][] network : probabilities) {
      for (int i = 0; i < points; i++) {
        for (int k = 0; k < classes; k++) {
          mean[i][k] += network[i][k] / (double) probabilities.length;
        }
      }
    }
    return mean;
  }

  /**
   * The model average's top-class confidences in {@link #CALIBRATION_BINS} equal-width bins: per
   * bin the summed confidence, the number of right predictions and the number of points.
   */
  public record Calibration(double[] confidence, double[] correct, int[] count) {
    /** Expected calibration error over {@code n} points: |right - confidence| summed over bins, / n. */
    public double ece() {
      int n = Arrays.stream(count).sum();
      double ece = 0;
      for (int b = 0; b < count.length; b++) {
        ece += Math.abs(correct[b] - confidence[b]) / n;
      }
      return ece;
    }

    public double accuracy() {
      return Arrays.stream(correct).sum() / Arrays.stream(count).sum();
    }
  }

  public static Calibration calibration(double[][] probabilities, int[] labels) {
    double[] confidence = new double[CALIBRATION_BINS];
    double[] correct = new double[CALIBRATION_BINS];
    int[] count = new int[CALIBRATION_BINS];
    for (int i = 0; i < labels.length; i++) {
      double[] p = probabilities[i];
      int predicted = 0;
      for (int k = 1; k < p.length; k++) {
        if (p[k] > p[predicted]) {
          predicted = k;
        }
      }
      int bin = Math.min(CALIBRATION_BINS - 1, (int) (p[predicted] * CALIBRATION_BINS));
      confidence[bin] += p[predicted];
      correct[bin] += predicted == labels[i] ? 1 : 0;
      count[bin]++;
    }
    return new Calibration(confidence, correct, count);
  }

  public static Scores score(double[][] probabilities, int[] labels) {
    int n = labels.length;
    double nll = 0;
    double brier = 0;
    for (int i = 0; i < n; i++) {
      double[] p = probabilities[i];
      nll -= Math.log(Math.max(p[labels[i]], 1e-12));
      for (int k = 0; k < p.length; k++) {
        double target = k == labels[i] ? 1 : 0;
        brier += (p[k] - target) * (p[k] - target);
      }
    }
    Calibration calibration = calibration(probabilities, labels);
    return new Scores(calibration.accuracy(), nll / n, calibration.ece(), brier / n, n);
  }
}
