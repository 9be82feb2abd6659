package org.subspace.workers.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import org.subspace.protocol.vocabulary.Head;

/**
 * A multilayer perceptron evaluated from flat weight vectors, batched over networks: the
 * weights are (S, P), one row per network, the inputs (N, in) are shared, the outputs are
 * (S, N, k). One batched pass evaluates every posterior sample on a data set.
 *
 * <p>Gradients come from explicit backpropagation rather than DJL's GradientCollector:
 * the collector is process-global in the PyTorch engine (only one may collect at a time),
 * which would serialise trainers running side by side in one JVM. The gradients are
 * checked against finite differences in the tests.
 */
public final class Mlp {
  private final MlpSpec spec;
  private final List<MlpSpec.Layer> layers;
  private final long[] splitPoints;

  public Mlp(MlpSpec spec) {
    this.spec = spec;
    this.layers = spec.layers();
    List<Long> points = new ArrayList<>();
    for (MlpSpec.Layer layer : layers) {
      points.add((long) layer.biasOffset());
      points.add((long) layer.end());
    }
    if (spec.head() == Head.MEAN) {
      points.remove(points.size() - 1);
    }
    this.splitPoints = points.stream().mapToLong(Long::longValue).toArray();
  }

  public MlpSpec spec() {
    return spec;
  }

  /** Network outputs (S, N, k) and, for the heteroscedastic head, v (S, 1). */
  public record Outputs(NDArray outputs, NDArray varianceScalar) {}

  /** Summed log density per network (S) and its gradient with respect to the weights (S, P). */
  public record LogLikelihood(NDArray value, NDArray gradient) {}

  public Outputs forward(NDArray x, NDArray weights) {
    return pass(x, weights, null).outputs;
  }

  /** Summed log density of the targets under each network (S). */
  public NDArray logLikelihood(NDArray x, NDArray y, NDArray weights, GaussianLikelihood likelihood) {
    Outputs out = forward(x, weights);
    return likelihood.logDensity(out.outputs(), out.varianceScalar(), y).sum(new int[] {1});
  }

  /** The summed log density and its gradient, by backpropagation. */
  public LogLikelihood logLikelihoodWithGradient(
      NDArray x, NDArray y, NDArray weights, GaussianLikelihood likelihood) {
    List<NDArray> activations = new ArrayList<>();
    Pass pass = pass(x, weights, activations);
    Outputs out = pass.outputs;
    NDArray value = likelihood.logDensity(out.outputs(), out.varianceScalar(), y).sum(new int[] {1});
    NDArray[] outputGradients = likelihood.logDensityGradients(out.outputs(), out.varianceScalar(), y);

    NDList pieces = new NDList(2 * layers.size() + 1);
    NDArray delta = outputGradients[0];
    for (int l = layers.size() - 1; l >= 0; l--) {
      NDArray input = activations.get(l);
      NDArray weightGradient = delta.transpose(0, 2, 1).matMul(input);
      NDArray biasGradient = delta.sum(new int[] {1});
      pieces.add(0, biasGradient);
      pieces.add(0, weightGradient.reshape(weightGradient.getShape().get(0), -1));
      if (l > 0) {
        delta = delta.matMul(pass.matrices.get(l)).muli(activationDerivative(input));
      }
    }
    if (outputGradients[1] != null) {
      pieces.add(outputGradients[1]);
    }
    return new LogLikelihood(value, NDArrays.concat(pieces, 1));
  }

  private record Pass(Outputs outputs, List<NDArray> matrices) {}

  /**
   * The forward pass; when {@code activations} is given it receives each layer's input. One
   * network (S = 1) takes the 2-D path, where each layer is a single fused {@code linear}
   * (matmul plus bias) call; several networks take broadcast batched matmuls.
   */
  private Pass pass(NDArray x, NDArray weights, List<NDArray> activations) {
    long networks = weights.getShape().get(0);
    NDList parts = weights.split(splitPoints, 1);
    List<NDArray> matrices = new ArrayList<>(layers.size());
    NDArray a = x;
    for (int l = 0; l < layers.size(); l++) {
      MlpSpec.Layer layer = layers.get(l);
      if (activations != null) {
        activations.add(a);
      }
      NDArray z;
      if (networks == 1) {
        // 2-D weights: the backward pass's broadcasting matmuls accept them as they are.
        NDArray matrix = parts.get(2 * l).reshape(layer.out(), layer.in());
        matrices.add(matrix);
        z = Linear.linear(a, matrix, parts.get(2 * l + 1)).singletonOrThrow();
      } else {
        NDArray matrix = parts.get(2 * l).reshape(networks, layer.out(), layer.in());
        matrices.add(matrix);
        NDArray bias = parts.get(2 * l + 1).reshape(networks, 1, layer.out());
        z = a.matMul(matrix.transpose(0, 2, 1)).addi(bias);
      }
      a = l == layers.size() - 1 ? z : activate(z);
    }
    if (networks == 1) {
      a = a.expandDims(0);
    }
    NDArray scalar = spec.head() == Head.HETEROSCEDASTIC ? parts.get(parts.size() - 1) : null;
    return new Pass(new Outputs(a, scalar), matrices);
  }

  private NDArray activate(NDArray z) {
    return switch (spec.activation()) {
      case RELU -> Activation.relu(z);
      case TANH -> Activation.tanh(z);
      case SIGMOID -> Activation.sigmoid(z);
    };
  }

  /** The activation's derivative expressed through its output a = f(z). */
  private NDArray activationDerivative(NDArray a) {
    return switch (spec.activation()) {
      case RELU -> a.gt(0).toType(DataType.FLOAT32, false);
      case TANH -> a.square().negi().addi(1);
      case SIGMOID -> a.mul(a.neg().addi(1));
    };
  }
}
