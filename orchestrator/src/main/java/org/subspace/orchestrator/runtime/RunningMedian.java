package org.subspace.orchestrator.runtime;

import java.util.Collections;
import java.util.PriorityQueue;

/**
 * The median of a growing set of numbers, kept in two heaps so that adding one costs
 * O(log n) and reading the median O(1). It is the element at index {@code n / 2} of the sorted
 * values (the upper one of the middle two when {@code n} is even), exactly what sorting them
 * would give, so estimates built on it do not move when the bookkeeping does.
 */
final class RunningMedian {
  /** The smaller half: sorted indices 0 .. n/2 - 1. */
  private final PriorityQueue<Double> lower = new PriorityQueue<>(Collections.reverseOrder());
  /** The larger half, its least element the median: sorted indices n/2 .. n - 1. */
  private final PriorityQueue<Double> upper = new PriorityQueue<>();

  void add(double value) {
    // Double.compare, as sorting does: NaN above every number.
    if (upper.isEmpty() || Double.compare(value, upper.peek()) >= 0) {
      upper.add(value);
    } else {
      lower.add(value);
    }
    // Keep |upper| = n - n/2 and |lower| = n/2.
    if (upper.size() > lower.size() + 1) {
      lower.add(upper.poll());
    } else if (lower.size() > upper.size()) {
      upper.add(lower.poll());
    }
  }

  int count() {
    return lower.size() + upper.size();
  }

  /** The median, or NaN before the first value. */
  double median() {
    return upper.isEmpty() ? Double.NaN : upper.peek();
  }
}
