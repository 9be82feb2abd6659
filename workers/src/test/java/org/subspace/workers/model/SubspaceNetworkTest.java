package org.subspace.workers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.workers.random.Rng;
import org.subspace.workers.subspace.Subspace;
import org.subspace.workers.subspace.Subspaces;

class SubspaceNetworkTest {
  private static final MlpSpec SPEC = new MlpSpec(2, List.of(20, 10), Activation.RELU, Head.MEAN);
  private static final double NOISE = 0.05;

  /** {@code n} standard normal 2-D inputs (row-major) and targets. */
  private static float[][] randomData(Rng rng, int n) {
    float[] x = new float[n * 2];
    float[] y = new float[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      y[i] = (float) rng.nextGaussian();
    }
    return new float[][] {x, y};
  }

  @Test
  void subspaceEvaluationMatchesSettingTheWeightsIntoDjlBlocks() {
    Rng rng = new Rng(8);
    int n = 30;
    float[][] data = randomData(rng, n);
    float[] x = data[0];
    float[] y = data[1];
    Subspace subspace = Subspaces.random(SPEC.initialWeights(rng), 3, 4);
    double[][] zs = {{0.0, 0.0, 0.0}, {0.7, -1.2, 2.0}, {-3.0, 0.1, 0.4}};
    GaussianLikelihood likelihood = new GaussianLikelihood(Head.MEAN, NOISE);
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

  /**
   * The gradient HMC and NUTS follow (backpropagation through the network and through
   * {@code w = mean + P^T z}) equals what DJL's autograd gives for the same expression.
   */
  @Test
  void theSubspaceGradientEqualsDjlAutograd() {
    Rng rng = new Rng(12);
    int n = 25;
    float[][] data = randomData(rng, n);
    float[] x = data[0];
    float[] y = data[1];
    Subspace subspace = Subspaces.random(SPEC.initialWeights(rng), 3, 6);
    double[] z = {0.8, -0.5, 1.7};
    GaussianLikelihood likelihood = new GaussianLikelihood(Head.MEAN, NOISE);
    try (SubspaceNetwork network = new SubspaceNetwork(new Mlp(SPEC), likelihood, subspace, x, y);
        NDManager manager = NDManager.newBaseManager();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      double[] ours = new double[3];
      double value = network.logLikelihood(z, ours);

      NDArray zArray = manager.create(new float[] {0.8f, -0.5f, 1.7f}, new Shape(1, 3));
      zArray.setRequiresGradient(true);
      NDArray w = zArray.matMul(manager.create(subspace.projection(), new Shape(3, SPEC.parameterCount())))
          .add(manager.create(subspace.mean())).reshape(-1);
      NDArray h = manager.create(x, new Shape(n, 2));
      List<MlpSpec.Layer> layers = SPEC.layers();
      for (int l = 0; l < layers.size(); l++) {
        MlpSpec.Layer layer = layers.get(l);
        NDArray weight = w.get(layer.weightOffset() + ":" + layer.biasOffset()).reshape(layer.out(), layer.in());
        NDArray bias = w.get(layer.biasOffset() + ":" + layer.end());
        h = h.matMul(weight.transpose()).add(bias);
        if (l < layers.size() - 1) {
          h = h.maximum(0f);
        }
      }
      NDArray residual = manager.create(y).sub(h.reshape(-1));
      NDArray logLikelihood = residual.square().sum().mul((float) (-0.5 / NOISE))
          .sub((float) (0.5 * n * Math.log(2 * Math.PI * NOISE)));
      collector.backward(logLikelihood);
      float[] autograd = zArray.getGradient().toFloatArray();
      assertEquals(logLikelihood.getFloat(), value, 1e-4 * Math.abs(value));
      for (int k = 0; k < 3; k++) {
        assertEquals(autograd[k], ours[k], 1e-3 * Math.max(1, Math.abs(autograd[k])), "dlogL/dz" + k);
      }
    }
  }
}
