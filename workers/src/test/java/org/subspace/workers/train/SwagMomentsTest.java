package org.subspace.workers.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.subspace.workers.random.Rng;

class SwagMomentsTest {

  @Test
  void matchesADirectComputationOnARecordedTrajectory() {
    int p = 7;
    int steps = 30;
    int keep = 5;
    Rng rng = new Rng(42);
    List<float[]> trajectory = new ArrayList<>();
    SwagMoments moments = new SwagMoments(p, keep);
    for (int t = 0; t < steps; t++) {
      float[] w = new float[p];
      for (int i = 0; i < p; i++) {
        w[i] = (float) (1.0 + 0.1 * t + rng.nextGaussian());
      }
      trajectory.add(w);
      moments.collect(w);
    }
    assertEquals(steps, moments.count());
    double[] mean = new double[p];
    double[] squares = new double[p];
    for (float[] w : trajectory) {
      for (int i = 0; i < p; i++) {
        mean[i] += w[i] / (double) steps;
        squares[i] += (double) w[i] * w[i] / steps;
      }
    }
    for (int i = 0; i < p; i++) {
      assertEquals(mean[i], moments.mean()[i], 1e-9);
      assertEquals(squares[i], moments.squareMean()[i], 1e-9);
    }
    // Deviation t is w_t minus the mean of w_1..w_t; the last `keep` are kept, oldest first.
    List<float[]> deviations = moments.deviations();
    assertEquals(keep, deviations.size());
    for (int k = 0; k < keep; k++) {
      int t = steps - keep + k;
      for (int i = 0; i < p; i++) {
        double runningMean = 0;
        for (int s = 0; s <= t; s++) {
          runningMean += trajectory.get(s)[i] / (double) (t + 1);
        }
        assertEquals(trajectory.get(t)[i] - runningMean, deviations.get(k)[i], 1e-5);
      }
    }
  }
}
