package org.subspace.workers.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Scores worked out by hand on four points and two networks. */
class ClassificationEvaluationTest {

  @Test
  void averagesTheNetworksThenScoresAccuracyNllEceAndBrier() {
    float[][][] networks = {
        {{0.9f, 0.1f}, {0.2f, 0.8f}, {0.6f, 0.4f}, {0.5f, 0.5f}},
        {{0.7f, 0.3f}, {0.4f, 0.6f}, {0.8f, 0.2f}, {0.3f, 0.7f}}};
    double[][] average = ClassificationEvaluation.average(networks);
    assertArrayEquals(new double[] {0.8, 0.2}, average[0], 1e-7);
    assertArrayEquals(new double[] {0.3, 0.7}, average[1], 1e-7);
    assertArrayEquals(new double[] {0.7, 0.3}, average[2], 1e-7);
    assertArrayEquals(new double[] {0.4, 0.6}, average[3], 1e-7);
    int[] labels = {0, 1, 1, 1};
    ClassificationEvaluation.Scores scores = ClassificationEvaluation.score(average, labels);
    // Predictions 0, 1, 0, 1: three right.
    assertEquals(0.75, scores.accuracy(), 1e-12);
    assertEquals(-(Math.log(0.8) + Math.log(0.7) + Math.log(0.3) + Math.log(0.6)) / 4, scores.nll(), 1e-6);
    // Brier: sum over classes of (p - onehot)^2 per point: 0.08, 0.18, 0.98, 0.32.
    assertEquals((0.08 + 0.18 + 0.98 + 0.32) / 4, scores.brier(), 1e-6);
    // Confidences 0.8, 0.7, 0.7, 0.6 fall in bins [0.8, 0.867), [0.667, 0.733) twice, [0.6, 0.667):
    // |1 - 0.8| / 4 + |1 - 1.4| / 4 (one right, one wrong at 0.7) + |1 - 0.6| / 4.
    assertEquals((0.2 + 0.4 + 0.4) / 4, scores.ece(), 1e-6);
    assertEquals(4, scores.points());
  }
}
