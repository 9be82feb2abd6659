package org.subspace.orchestrator.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/** Median and range of repeated measurements. */
record Stats(double median, double min, double max, int repeats) {

  static Stats of(double... values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Stats(median, sorted[0], sorted[n - 1], n);
  }

  static Stats of(List<Double> values) {
    return of(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** The same measurements transformed (e.g. seconds to a rate); the order of min and max follows. */
  Stats map(DoubleUnaryOperator f) {
    double a = f.applyAsDouble(min);
    double b = f.applyAsDouble(max);
    return new Stats(f.applyAsDouble(median), Math.min(a, b), Math.max(a, b), repeats);
  }
}
