package org.subspace.workers.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.subspace.protocol.vocabulary.Architecture;
import org.subspace.workers.data.ImageData;
import org.subspace.workers.data.ImageLoaders;
import org.subspace.workers.eval.ClassificationEvaluation;
import org.subspace.workers.train.LearningRateSchedule;
import org.subspace.workers.train.TrainingState;

class ClassifierNetworkTest {
  private static final ImageData TRAIN = ImageLoaders.optdigits(Path.of("../shared/data/digits/optdigits.tra"));
  private static final ImageData TEST = ImageLoaders.optdigits(Path.of("../shared/data/digits/optdigits.tes"));

  @Test
  void theSmallCnnLearnsTheDigits() {
    try (ClassifierNetwork network = new ClassifierNetwork(Architecture.CNN_SMALL, 10, 1, 8, 8,
        Device.cpu())) {
      ClassifierTrainer trainer = new ClassifierTrainer(network, TRAIN, new ClassifierTrainer.Settings(5, 64,
          LearningRateSchedule.constant(0.05), 0.9, 1e-4, 3, 5, false), 1);
      TrainingState trained = trainer.run(trainer.initial(), null);
      network.setWeights(trained.weights());
      network.recomputeBatchNorm(TRAIN, 500);
      ClassificationEvaluation.Scores scores = ClassificationEvaluation.score(
          ClassificationEvaluation.average(new float[][][] {network.probabilities(TEST, 500)}), TEST.labels());
      assertTrue(scores.accuracy() > 0.93, "test accuracy after 5 epochs: " + scores.accuracy());
      assertEquals(2, trained.swag().count());
    }
  }

  /**
   * Recomputed statistics are the size-weighted mean of the batches' own: batches of 100 give
   * the first BatchNorm the same running means as one pass over everything, and with one pass inference-mode
   * outputs equal training-mode ones (the network then normalises by the same statistics).
   */
  @Test
  void recomputedBatchNormStatisticsAverageTheBatches() {
    ImageData data = TRAIN.slice(0, 1000);
    try (ClassifierNetwork network = new ClassifierNetwork(Architecture.CNN_SMALL, 10, 1, 8, 8,
        Device.cpu())) {
      network.setWeights(network.initialWeights(3));
      network.recomputeBatchNorm(data, 1000);
      float[][] inference = network.probabilities(data, 1000);
      float[] training = network.logProbabilities(network.images(data, 0, 1000), true).exp().toFloatArray();
      for (int i = 0; i < 1000; i += 97) {
        for (int k = 0; k < 10; k++) {
          assertEquals(training[i * 10 + k], inference[i][k], 1e-4, "image " + i + " class " + k);
        }
      }
      float[][] onePass = network.runningMeans();
      network.recomputeBatchNorm(data, 100);
      float[][] batched = network.runningMeans();
      // The first BatchNorm sees the same inputs either way; deeper ones see inputs normalised by
      // batch statistics in the batched pass (as in PyTorch's bn_update), so only it is exact.
      assertArrayEquals(onePass[0], batched[0], 1e-5f, "the first BatchNorm");
      assertEquals(2, onePass.length);
    }
  }

  /** The gradient of the summed log-likelihood matches a central finite difference along a random direction. */
  @Test
  void theLikelihoodGradientMatchesFiniteDifferences() {
    ImageData data = TRAIN.slice(0, 200);
    try (ClassifierNetwork network = new ClassifierNetwork(Architecture.CNN_SMALL, 10, 1, 8, 8,
        Device.cpu())) {
      float[] w = network.initialWeights(9);
      float[] direction = network.initialWeights(10);
      network.setWeights(w);
      double analytic;
      try (NDArray gradient = network.manager().zeros(new ai.djl.ndarray.types.Shape(network.parameterCount()))) {
        network.logLikelihoodWithGradient(data, 200, gradient);
        float[] g = gradient.toFloatArray();
        analytic = 0;
        for (int i = 0; i < g.length; i++) {
          analytic += (double) g[i] * direction[i];
        }
      }
      double h = 1e-3;
      network.setWeights(shifted(w, direction, h));
      double up = network.logLikelihood(data, 200);
      network.setWeights(shifted(w, direction, -h));
      double down = network.logLikelihood(data, 200);
      double numeric = (up - down) / (2 * h);
      assertEquals(numeric, analytic, 0.02 * Math.abs(numeric), "directional derivative");
    }
  }

  private static float[] shifted(float[] w, float[] direction, double h) {
    float[] out = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = (float) (w[i] + h * direction[i]);
    }
    return out;
  }
}
