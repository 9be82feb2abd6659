package org.subspace.workers.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.subspace.protocol.vocabulary.Architecture;
import org.subspace.workers.data.ImageData;
import org.subspace.workers.inference.EllipticalSliceSampler;
import org.subspace.workers.random.Rng;
import org.subspace.workers.subspace.Subspace;
import org.subspace.workers.subspace.Subspaces;
import org.subspace.workers.train.LearningRateSchedule;
import org.subspace.workers.train.TrainingState;

/**
 * The architectures have the published parameter counts (the reference code's CIFAR-10
 * definitions: VGG16 15,245,130; PreResNet164 1,703,258; WRN28x10 36,489,290), and each takes
 * one SGD step and one elliptical slice sampling step in a subspace on a tiny batch on the CPU.
 */
class ConvNetsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({"CNN_SMALL, 1, 8, 13754", "VGG16, 3, 32, 15245130", "PRERESNET164, 3, 32, 1703258",
      "WRN28X10, 3, 32, 36489290"})
  void hasThePublishedSizeAndTakesATrainingStepAndAnEssStep(Architecture architecture, int channels,
      int size, int parameters) {
    ImageData batch = tinyBatch(channels, size);
    try (ClassifierNetwork network = new ClassifierNetwork(architecture, 10, channels, size, size, Device.cpu())) {
      assertEquals(parameters, network.parameterCount());
      ClassifierTrainer trainer = new ClassifierTrainer(network, batch, new ClassifierTrainer.Settings(1, 2,
          LearningRateSchedule.constant(0.01), 0.9, 5e-4, 0, 2, channels == 3), 1);
      TrainingState start = trainer.initial();
      TrainingState stepped = trainer.run(start, null);
      assertTrue(Double.isFinite(stepped.lastLoss()), "a finite loss");
      assertFalse(Arrays.equals(start.weights(), stepped.weights()), "the step moved the weights");
      assertEquals(1, stepped.swag().count(), "SWAG collected the epoch");

      Subspace subspace = Subspaces.random(stepped.weights(), 2, 3);
      EllipticalSliceSampler.LogLikelihood logLikelihood = z -> {
        network.setWeights(subspace.weightsAt(z));
        return network.logLikelihood(batch, 2);
      };
      EllipticalSliceSampler ess = new EllipticalSliceSampler(new EllipticalSliceSampler.Settings(1, 0, 1, 1.0, 1.0));
      EllipticalSliceSampler.Chain chain = ess.run(ess.start(new double[2], 5, logLikelihood), logLikelihood, null);
      assertEquals(1, chain.samples().size());
      assertTrue(Double.isFinite(chain.sampleLogLikelihoods().get(0)));
      network.setWeights(subspace.weightsAt(chain.samples().get(0)));
      network.recomputeBatchNorm(batch, 2);
      float[][] probabilities = network.probabilities(batch, 2);
      double sum = 0;
      for (float p : probabilities[0]) {
        sum += p;
      }
      assertEquals(1.0, sum, 1e-4, "class probabilities");
    }
  }

  private static ImageData tinyBatch(int channels, int size) {
    Rng rng = new Rng(4);
    float[] pixels = new float[2 * channels * size * size];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) rng.nextDouble();
    }
    return new ImageData(pixels, new int[] {3, 7}, channels, size, size, 10);
  }
}
