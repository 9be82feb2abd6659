package org.subspace.workers.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.subspace.workers.data.ImageData;
import org.subspace.workers.model.SubspaceModel;
import org.subspace.workers.subspace.Subspace;

/**
 * A classifier restricted to a subspace, {@code w = mean + P^T z}, with its training images:
 * what the samplers and VI call (the summed log-likelihood, with gradients in z from autograd),
 * and predictions for sampled points, each after recomputing BatchNorm statistics on the
 * training images for that network, as the reference does. The projection lives on the
 * network's device. Closing it closes the network.
 */
public final class SubspaceClassifier implements SubspaceModel {
  /** Images per forward pass: bounds the activations held at once. */
  public static final int BATCH = 500;

  private final ClassifierNetwork network;
  private final ImageData train;
  private final NDArray mean;
  private final NDArray projection;
  private final int rank;

  public SubspaceClassifier(ClassifierNetwork network, Subspace subspace, ImageData train) {
    if (subspace.parameters() != network.parameterCount()) {
      throw new IllegalArgumentException(
          "subspace has " + subspace.parameters() + " parameters, the network " + network.parameterCount());
    }
    this.network = network;
    this.train = train;
    this.rank = subspace.rank();
    this.mean = network.manager().create(subspace.mean());
    this.projection = subspace.projectionArray(network.manager());
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int trainCount() {
    return train.count();
  }

  /** The summed log-likelihood of the training images at z. */
  @Override
  public double logLikelihood(double[] z) {
    moveTo(z);
    return network.logLikelihood(train, BATCH);
  }

  /** The summed log-likelihood at z, its gradient in z written into {@code gradient}: what HMC and NUTS follow. */
  @Override
  public double logLikelihood(double[] z, double[] gradient) {
    return logLikelihood(train, z, gradient);
  }

  /** VI's objective: the mean negative log-likelihood of some training rows at z, and its gradient. */
  @Override
  public double meanNegLogLikelihood(double[] z, int[] rows, double[] gradient) {
    double value = logLikelihood(train.rows(rows), z, gradient);
    for (int k = 0; k < rank; k++) {
      gradient[k] = -gradient[k] / rows.length;
    }
    return -value / rows.length;
  }

  private double logLikelihood(ImageData data, double[] z, double[] gradient) {
    moveTo(z);
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray weightGradient = network.manager().zeros(new Shape(network.parameterCount()));
      double value = network.logLikelihoodWithGradient(data, BATCH, weightGradient);
      float[] zGradient = projection.matMul(weightGradient).toFloatArray();
      for (int k = 0; k < rank; k++) {
        gradient[k] = zGradient[k];
      }
      return value;
    }
  }

  /** Class probabilities of {@code images} for the network at z, [N][classes]. */
  public float[][] probabilitiesAt(double[] z, ImageData images) {
    moveTo(z);
    network.recomputeBatchNorm(train, BATCH);
    return network.probabilities(images, BATCH);
  }

  private void moveTo(double[] z) {
    if (z.length != rank) {
      throw new IllegalArgumentException("z has " + z.length + " coordinates, the subspace rank is " + rank);
    }
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      float[] point = new float[rank];
      for (int k = 0; k < rank; k++) {
        point[k] = (float) z[k];
      }
      network.setWeights(network.manager().create(point, new Shape(1, rank)).matMul(projection).reshape(-1)
          .addi(mean));
    }
  }

  @Override
  public void close() {
    mean.close();
    projection.close();
    network.close();
  }
}
