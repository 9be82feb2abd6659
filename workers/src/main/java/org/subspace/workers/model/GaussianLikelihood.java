package org.subspace.workers.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.subspace.protocol.vocabulary.Head;

/**
 * The Gaussian likelihood of a regression network's outputs: with the mean head the
 * variance is the fixed {@code noiseVariance}; with the heteroscedastic head it is
 * {@code softplus(o2) + softplus(v)}.
 *
 * <p>Arrays are batched over S networks: outputs (S, N, k), v (S, 1), targets (N).
 */
public record GaussianLikelihood(Head head, double noiseVariance) {
  private static final double LOG_TWO_PI = Math.log(2.0 * Math.PI);

  public GaussianLikelihood {
    if (head == Head.MEAN && !(noiseVariance > 0.0)) {
      throw new IllegalArgumentException("noise variance must be positive: " + noiseVariance);
    }
  }

  /** Predictive mean (S, N) of each network. */
  public NDArray mean(NDArray outputs) {
    return outputs.get(":, :, 0");
  }

  /** Predictive (aleatoric) variance (S, N) of each network. */
  public NDArray variance(NDArray outputs, NDArray varianceScalar) {
    if (head == Head.MEAN) {
      return outputs.get(":, :, 0").zerosLike().addi(noiseVariance);
    }
    return Activation.softPlus(outputs.get(":, :, 1")).addi(Activation.softPlus(varianceScalar));
  }

  /** Log density of each target under each network, (S, N). */
  public NDArray logDensity(NDArray outputs, NDArray varianceScalar, NDArray targets) {
    if (head == Head.MEAN) {
      // A constant variance folds into two scalar operations: few native calls on the sampler's hot path.
      return mean(outputs).sub(targets).square().muli(-0.5 / noiseVariance)
          .subi(0.5 * (LOG_TWO_PI + Math.log(noiseVariance)));
    }
    NDArray variance = variance(outputs, varianceScalar);
    NDArray residual = mean(outputs).sub(targets);
    return residual.square().divi(variance).addi(variance.log()).addi(LOG_TWO_PI).muli(-0.5);
  }

  /**
   * Derivatives of the summed log density: with respect to the outputs (S, N, k) and to v
   * (S, 1), the latter null for the mean head.
   */
  public NDArray[] logDensityGradients(NDArray outputs, NDArray varianceScalar, NDArray targets) {
    NDArray variance = variance(outputs, varianceScalar);
    NDArray residual = targets.sub(mean(outputs));
    NDArray dMean = residual.div(variance);
    if (head == Head.MEAN) {
      return new NDArray[] {dMean.expandDims(2), null};
    }
    // d/ds of -0.5 log s - 0.5 r^2 / s, chained through s = softplus(o2) + softplus(v).
    NDArray dVariance = dMean.square().subi(variance.pow(-1)).muli(0.5);
    NDArray dRaw = dVariance.mul(Activation.sigmoid(outputs.get(":, :, 1")));
    NDArray dScalar = dVariance.sum(new int[] {1}, true).muli(Activation.sigmoid(varianceScalar));
    return new NDArray[] {dMean.expandDims(2).concat(dRaw.expandDims(2), 2), dScalar};
  }
}
