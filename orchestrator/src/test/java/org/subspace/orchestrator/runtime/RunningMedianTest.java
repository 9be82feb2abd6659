package org.subspace.orchestrator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The running median is exactly the element at index n/2 of the sorted values, as the ETA always used. */
class RunningMedianTest {
  @Test
  void matchesSortingAfterEveryValue() {
    Random random = new Random(7);
    RunningMedian median = new RunningMedian();
    assertTrue(Double.isNaN(median.median()));
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      // Ties, a wide range and the odd NaN (a stage that reported no time), as sorting orders them.
      double value = i % 97 == 0 ? Double.NaN : i % 5 == 0 ? 1.0 : Math.exp(random.nextGaussian() * 3);
      median.add(value);
      values.add(value);
      double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      assertEquals(sorted[sorted.length / 2], median.median(), "after " + values.size() + " values");
      assertEquals(values.size(), median.count());
    }
  }
}
