package org.subspace.workers.model;

/**
 * A network restricted to a subspace, {@code w = mean + P^T z}, with its training data: what
 * the samplers and VI need, whatever the network (a regression MLP or an image classifier).
 */
public interface SubspaceModel extends AutoCloseable {
  int rank();

  /** Training rows (or images). */
  int trainCount();

  /** The summed log-likelihood of the training data at z. */
  double logLikelihood(double[] z);

  /** The same and its gradient in z, written into {@code gradient}. */
  double logLikelihood(double[] z, double[] gradient);

  /** The mean negative log-likelihood of some training rows at z, and its gradient (VI's objective). */
  double meanNegLogLikelihood(double[] z, int[] rows, double[] gradient);

  @Override
  void close();
}
