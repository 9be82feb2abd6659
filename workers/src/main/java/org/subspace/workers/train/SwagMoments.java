package org.subspace.workers.train;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * SWAG's running moments of the SGD iterates: the mean, the mean of squares and the last
 * {@code maxDeviations} deviations {@code w_i - mean_i}, each taken from the mean right
 * after it absorbed {@code w_i} (as the reference's {@code collect_model} does).
 *
 * <p>Moments accumulate in double precision; deviations are stored as floats, like the weights.
 */
public final class SwagMoments {
  private final int parameters;
  private final int maxDeviations;
  private final double[] mean;
  private final double[] squareMean;
  private final Deque<float[]> deviations = new ArrayDeque<>();
  private long count;

  public SwagMoments(int parameters, int maxDeviations) {
    if (maxDeviations < 1) {
      throw new IllegalArgumentException("maxDeviations must be at least 1: " + maxDeviations);
    }
    this.parameters = parameters;
    this.maxDeviations = maxDeviations;
    this.mean = new double[parameters];
    this.squareMean = new double[parameters];
  }

  /**
   * Restores moments saved from {@link #mean()}, {@link #squareMean()}, {@link #deviations()}.
   * The deviation rows are taken as they are, not copied: pass rows nobody else holds.
   */
  public static SwagMoments restore(
      long count, double[] mean, double[] squareMean, List<float[]> deviations, int maxDeviations) {
    SwagMoments moments = new SwagMoments(mean.length, maxDeviations);
    moments.count = count;
    System.arraycopy(mean, 0, moments.mean, 0, mean.length);
    System.arraycopy(squareMean, 0, moments.squareMean, 0, squareMean.length);
    moments.deviations.addAll(deviations);
    return moments;
  }

  public void collect(float[] weights) {
    if (weights.length != parameters) {
      throw new IllegalArgumentException("expected " + parameters + " weights, got " + weights.length);
    }
    double previous = count / (count + 1.0);
    double fresh = 1.0 / (count + 1.0);
    float[] deviation = new float[parameters];
    for (int i = 0; i < parameters; i++) {
      double w = weights[i];
      mean[i] = mean[i] * previous + w * fresh;
      squareMean[i] = squareMean[i] * previous + w * w * fresh;
      deviation[i] = (float) (w - mean[i]);
    }
    deviations.addLast(deviation);
    if (deviations.size() > maxDeviations) {
      deviations.removeFirst();
    }
    count++;
  }

  public long count() {
    return count;
  }

  public int parameters() {
    return parameters;
  }

  public int maxDeviations() {
    return maxDeviations;
  }

  public double[] mean() {
    return mean.clone();
  }

  public float[] meanAsFloats() {
    float[] out = new float[parameters];
    for (int i = 0; i < parameters; i++) {
      out[i] = (float) mean[i];
    }
    return out;
  }

  public double[] squareMean() {
    return squareMean.clone();
  }

  /**
   * The kept deviations, oldest first: the moments' own rows, not copies (at CIFAR scale they
   * are gigabytes), so callers read them and never write them.
   */
  public List<float[]> deviations() {
    return List.copyOf(deviations);
  }

  /** An independent copy, each array copied once. */
  public SwagMoments copy() {
    return restore(count, mean, squareMean, deviations.stream().map(float[]::clone).toList(), maxDeviations);
  }
}
