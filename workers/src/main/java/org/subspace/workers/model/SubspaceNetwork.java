package org.subspace.workers.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.subspace.workers.subspace.Subspace;

/**
 * A network restricted to a subspace, {@code w = mean + P^T z}, with its training data held
 * as native arrays: the fast path for the sampler's likelihood and for predictions of many
 * posterior samples at once. Every temporary lives in an {@link NDScope} that is closed
 * before a method returns, so long chains do not grow native memory.
 */
public final class SubspaceNetwork implements SubspaceModel {
  /** Bound on S x max(N x widest layer, P) floats held at once when predicting for many samples. */
  private static final long MAX_BATCH_FLOATS = 8L << 20;

  private final Mlp mlp;
  private final GaussianLikelihood likelihood;
  private final int rank;
  private final NDManager manager;
  private final NDArray mean;
  private final NDArray projection;
  private final NDArray x;
  private final NDArray y;

  public SubspaceNetwork(Mlp mlp, GaussianLikelihood likelihood, Subspace subspace, float[] trainX, float[] trainY) {
    int p = mlp.spec().parameterCount();
    if (subspace.parameters() != p) {
      throw new IllegalArgumentException(
          "subspace has " + subspace.parameters() + " parameters, the network " + p);
    }
    this.mlp = mlp;
    this.likelihood = likelihood;
    this.rank = subspace.rank();
    this.manager = NDManager.newBaseManager();
    this.mean = manager.create(subspace.mean(), new Shape(1, p));
    this.projection = subspace.projectionArray(manager);
    this.x = manager.create(trainX, new Shape(trainY.length, mlp.spec().inputs()));
    this.y = manager.create(trainY);
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int trainCount() {
    return (int) y.size();
  }

  /** The summed log-likelihood of the training data at {@code z}. */
  @Override
  public double logLikelihood(double[] z) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      return mlp.logLikelihood(x, y, weightsAt(new double[][] {z}), likelihood).getFloat(0);
    }
  }

  /**
   * The mean negative log-likelihood of some training rows at z and its gradient with respect
   * to z ({@code P} times the weight gradient), written into {@code gradient}: VI's objective.
   */
  @Override
  public double meanNegLogLikelihood(double[] z, int[] rows, double[] gradient) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray index = manager.create(rows);
      double value = logLikelihood(x.get(index), y.get(index), z, gradient);
      for (int k = 0; k < rank; k++) {
        gradient[k] = -gradient[k] / rows.length;
      }
      return -value / rows.length;
    }
  }

  /**
   * The summed log-likelihood of all training data at z and its gradient with respect to z,
   * written into {@code gradient}: what HMC and NUTS follow.
   */
  @Override
  public double logLikelihood(double[] z, double[] gradient) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      return logLikelihood(x, y, z, gradient);
    }
  }

  /** Backpropagation through the network and through {@code w = mean + P^T z}: dL/dz = P dL/dw. */
  private double logLikelihood(NDArray inputs, NDArray targets, double[] z, double[] gradient) {
    Mlp.LogLikelihood fit = mlp.logLikelihoodWithGradient(inputs, targets, weightsAt(new double[][] {z}), likelihood);
    float[] zGradient = fit.gradient().matMul(projection.transpose()).toFloatArray();
    for (int k = 0; k < rank; k++) {
      gradient[k] = zGradient[k];
    }
    return fit.value().getFloat(0);
  }

  /** Predictions of the networks at each z: means and (aleatoric) variances, [S][N] each. */
  public float[][][] predict(double[][] zs, float[] inputs) {
    return predict(mlp, likelihood, manager, zs.length, inputs,
        (from, to) -> weightsAt(Arrays.copyOfRange(zs, from, to)));
  }

  /** Predictions of whole networks given by their flat weights (SGD, SWAG), [S][N] each. */
  public static float[][][] predictNetworks(Mlp mlp, GaussianLikelihood likelihood, float[][] weights,
      float[] inputs) {
    int p = mlp.spec().parameterCount();
    try (NDManager manager = NDManager.newBaseManager()) {
      return predict(mlp, likelihood, manager, weights.length, inputs, (from, to) -> {
        float[] flat = new float[(to - from) * p];
        for (int s = from; s < to; s++) {
          System.arraycopy(weights[s], 0, flat, (s - from) * p, p);
        }
        return manager.create(flat, new Shape(to - from, p));
      });
    }
  }

  /** Weights (S, P) of the networks {@code from..to-1}. */
  @FunctionalInterface
  private interface WeightRows {
    NDArray rows(int from, int to);
  }

  private static float[][][] predict(Mlp mlp, GaussianLikelihood likelihood, NDManager manager, int networks,
      float[] inputs, WeightRows weights) {
    int n = inputs.length / mlp.spec().inputs();
    int widest = Math.max(mlp.spec().inputs(), mlp.spec().hidden().stream().mapToInt(Integer::intValue).max().orElse(1));
    // Bounded by the activations and by the networks' weights, which are most of it for wide networks.
    long perNetwork = Math.max((long) n * widest, mlp.spec().parameterCount());
    int chunk = (int) Math.max(1, Math.min(networks, MAX_BATCH_FLOATS / perNetwork));
    float[][] means = new float[networks][];
    float[][] variances = new float[networks][];
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray points = manager.create(inputs, new Shape(n, mlp.spec().inputs()));
      for (int from = 0; from < networks; from += chunk) {
        int to = Math.min(networks, from + chunk);
        try (NDScope chunkScope = new NDScope()) {
          chunkScope.suppressNotUsedWarning();
          Mlp.Outputs out = mlp.forward(points, weights.rows(from, to));
          float[] m = likelihood.mean(out.outputs()).toFloatArray();
          float[] v = likelihood.variance(out.outputs(), out.varianceScalar()).toFloatArray();
          for (int s = from; s < to; s++) {
            int offset = (s - from) * n;
            means[s] = Arrays.copyOfRange(m, offset, offset + n);
            variances[s] = Arrays.copyOfRange(v, offset, offset + n);
          }
        }
      }
    }
    return new float[][][] {means, variances};
  }

  private NDArray weightsAt(double[][] zs) {
    float[] flat = new float[zs.length * rank];
    for (int s = 0; s < zs.length; s++) {
      if (zs[s].length != rank) {
        throw new IllegalArgumentException("z has " + zs[s].length + " coordinates, the subspace rank is " + rank);
      }
      for (int k = 0; k < rank; k++) {
        flat[s * rank + k] = (float) zs[s][k];
      }
    }
    // The temporary comes first so that the result belongs to the scope, not to the long-lived manager.
    return manager.create(flat, new Shape(zs.length, rank)).matMul(projection).addi(mean);
  }

  @Override
  public void close() {
    manager.close();
  }
}
