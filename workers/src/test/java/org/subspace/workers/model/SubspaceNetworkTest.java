package org.subspace.workers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.subspace.workers.random.Rng;
import org.subspace.workers.subspace.Subspace;
import org.subspace.workers.subspace.Subspaces;

class SubspaceNetworkTest {
  private static final MlpSpec SPEC = new MlpSpec(2, List.of(20, 10), MlpSpec.Activation.RELU, MlpSpec.Head.MEAN);
  private static final double NOISE = 0.05;

  @Test
  void subspaceEvaluationMatchesSettingTheWeightsIntoDjlBlocks() {
    Rng rng = new Rng(8);
    int n = 30;
    float[] x = new float[n * 2];
    float[] y = new float[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      y[i] = (float) rng.nextGaussian();
    }
    Subspace subspace = Subspaces.random(SPEC.initialWeights(rng), 3, 4);
    double[][] zs = {{0.0, 0.0, 0.0}, {0.7, -1.2, 2.0}, {-3.0, 0.1, 0.4}};
    GaussianLikelihood likelihood = new GaussianLikelihood(MlpSpec.Head.MEAN, NOISE);
    try (SubspaceNetwork network = new SubspaceNetwork(new Mlp(SPEC), likelihood, subspace, x, y);
        NDManager manager = NDManager.newBaseManager()) {
      float[][][] predicted = network.predict(zs, x);
      for (int s = 0; s < zs.length; s++) {
        SequentialBlock block = MlpBlocks.build(SPEC, subspace.weightsAt(zs[s]), manager);
        float[] outputs = block.forward(new ParameterStore(manager, false),
            new NDList(manager.create(x, new Shape(n, 2))), false).singletonOrThrow().toFloatArray();
        double expected = 0;
        for (int i = 0; i < n; i++) {
          double r = y[i] - outputs[i];
          expected += -0.5 * r * r / NOISE - 0.5 * Math.log(2 * Math.PI * NOISE);
        }
        assertEquals(expected, network.logLikelihood(zs[s]), 1e-4 * Math.abs(expected), "log-likelihood at z " + s);
        assertArrayEquals(outputs, predicted[0][s], 1e-4f, "batched predictions at z " + s);
        for (float v : predicted[1][s]) {
          assertEquals(NOISE, v, 1e-7);
        }
      }
    }
  }
}
