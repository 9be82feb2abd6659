package org.subspace.workers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.workers.random.Rng;

class MlpTest {

  private static float[] randomInputs(Rng rng, int count) {
    float[] x = new float[count];
    for (int i = 0; i < count; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    return x;
  }

  @Test
  void parameterCountMatchesTheReferenceToyNet() {
    MlpSpec toy = new MlpSpec(2, List.of(200, 50, 50, 50), Activation.RELU, Head.MEAN);
    assertEquals(15_801, toy.parameterCount());
    MlpSpec boston = new MlpSpec(13, List.of(50), Activation.RELU, Head.HETEROSCEDASTIC);
    assertEquals(13 * 50 + 50 + 50 * 2 + 2 + 1, boston.parameterCount());
    assertEquals(boston.parameterCount() - 1, boston.varianceScalarOffset());
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void forwardMatchesDjlLinearBlocksWithTheSameFlatWeights(Activation activation) {
    MlpSpec spec = new MlpSpec(3, List.of(7, 5), activation, Head.MEAN);
    Rng rng = new Rng(11);
    float[] weights = spec.initialWeights(rng);
    float[] x = randomInputs(rng, 4 * 3);
    try (NDManager manager = NDManager.newBaseManager()) {
      SequentialBlock block = MlpBlocks.build(spec, weights, manager);
      assertArrayEquals(weights, MlpBlocks.flatWeights(block, spec), "flat view round-trips");
      NDArray input = manager.create(x, new Shape(4, 3));
      float[] viaBlock = block.forward(new ParameterStore(manager, false), new NDList(input), false)
          .singletonOrThrow().toFloatArray();
      float[] viaFlat = new Mlp(spec).forward(input, manager.create(weights, new Shape(1, weights.length)))
          .outputs().toFloatArray();
      assertArrayEquals(viaBlock, viaFlat, 1e-5f);
    }
  }

  @ParameterizedTest
  @EnumSource(Head.class)
  void backpropagationMatchesFiniteDifferences(Head head) {
    // Smooth activation so central differences are accurate; double precision for the check.
    MlpSpec spec = new MlpSpec(3, List.of(6, 4), Activation.TANH, head);
    GaussianLikelihood likelihood = new GaussianLikelihood(head, 0.3);
    Rng rng = new Rng(5);
    float[] weights = spec.initialWeights(rng);
    if (head == Head.HETEROSCEDASTIC) {
      weights[spec.varianceScalarOffset()] = -0.4f;
    }
    int n = 9;
    float[] x = randomInputs(rng, n * 3);
    float[] y = randomInputs(rng, n);
    Mlp mlp = new Mlp(spec);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray inputs = manager.create(x, new Shape(n, 3)).toType(DataType.FLOAT64, false);
      NDArray targets = manager.create(y).toType(DataType.FLOAT64, false);
      NDArray w = manager.create(weights, new Shape(1, weights.length)).toType(DataType.FLOAT64, false);
      double[] gradient = mlp.logLikelihoodWithGradient(inputs, targets, w, likelihood).gradient().toDoubleArray();
      double eps = 1e-6;
      for (int i = 0; i < weights.length; i++) {
        NDArray plus = w.duplicate();
        plus.set(new NDIndex(0, i), weights[i] + eps);
        NDArray minus = w.duplicate();
        minus.set(new NDIndex(0, i), weights[i] - eps);
        double numeric = (mlp.logLikelihood(inputs, targets, plus, likelihood).getDouble(0)
            - mlp.logLikelihood(inputs, targets, minus, likelihood).getDouble(0)) / (2 * eps);
        assertEquals(numeric, gradient[i], 1e-6 * Math.max(1.0, Math.abs(numeric)), "weight " + i);
      }
    }
  }

  @Test
  void batchedNetworksEqualSeparateEvaluations() {
    MlpSpec spec = new MlpSpec(2, List.of(8, 8), Activation.RELU, Head.HETEROSCEDASTIC);
    Rng rng = new Rng(3);
    float[] a = spec.initialWeights(rng);
    float[] b = spec.initialWeights(rng);
    float[] x = randomInputs(rng, 10);
    float[] y = randomInputs(rng, 5);
    GaussianLikelihood likelihood = new GaussianLikelihood(Head.HETEROSCEDASTIC, 1.0);
    Mlp mlp = new Mlp(spec);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray inputs = manager.create(x, new Shape(5, 2));
      NDArray targets = manager.create(y);
      float[] both = new float[a.length * 2];
      System.arraycopy(a, 0, both, 0, a.length);
      System.arraycopy(b, 0, both, a.length, b.length);
      float[] batched = mlp.logLikelihood(inputs, targets, manager.create(both, new Shape(2, a.length)), likelihood)
          .toFloatArray();
      float first = mlp.logLikelihood(inputs, targets, manager.create(a, new Shape(1, a.length)), likelihood)
          .getFloat(0);
      float second = mlp.logLikelihood(inputs, targets, manager.create(b, new Shape(1, b.length)), likelihood)
          .getFloat(0);
      assertArrayEquals(new float[] {first, second}, batched, 1e-4f);
    }
  }
}
