package org.subspace.workers.eval;

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

  public static Scores score(double[][] probabilities, int[] labels) {
    int n = labels.length;
    double correct = 0;
    double nll = 0;
    double brier = 0;
    double[] binConfidence = new double[CALIBRATION_BINS];
    double[] binCorrect = new double[CALIBRATION_BINS];
    int[] binCount = new int[CALIBRATION_BINS];
    for (int i = 0; i < n; i++) {
      double[] p = probabilities[i];
      int predicted = 0;
      for (int k = 1; k < p.length; k++) {
        if (p[k] > p[predicted]) {
          predicted = k;
        }
      }
      boolean right = predicted == labels[i];
      correct += right ? 1 : 0;
      nll -= Math.log(Math.max(p[labels[i]], 1e-12));
      for (int k = 0; k < p.length; k++) {
        double target = k == labels[i] ? 1 : 0;
        brier += (p[k] - target) * (p[k] - target);
      }
      int bin = Math.min(CALIBRATION_BINS - 1, (int) (p[predicted] * CALIBRATION_BINS));
      binConfidence[bin] += p[predicted];
      binCorrect[bin] += right ? 1 : 0;
      binCount[bin]++;
    }
    double ece = 0;
    for (int b = 0; b < CALIBRATION_BINS; b++) {
      if (binCount[b] > 0) {
        ece += Math.abs(binCorrect[b] - binConfidence[b]) / n;
      }
    }
    return new Scores(correct / n, nll / n, ece, brier / n, n);
  }
}
