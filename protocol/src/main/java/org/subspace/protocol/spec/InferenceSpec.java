package org.subspace.protocol.spec;

/**
 * Settings of the inference methods. ESS uses the noise variance (mean head), the prior std
 * on z, and samples / burn-in / thinning; VI fits a diagonal Gaussian q(z) ({@link Variational})
 * and draws {@code samples} from it (vi-full: a full-covariance Gaussian); HMC and NUTS keep
 * {@code samples} draws after their warm-up ({@link Hamiltonian}); SWAG draws {@code samples}
 * networks from the SWAG Gaussian with covariance scaled by {@code swagScale}.
 */
public record InferenceSpec(
    double noiseVariance, double priorStd, int samples, int burnIn, int thin, Variational vi, double swagScale,
    Hamiltonian hamiltonian) {

  /**
   * VI as in the reference: sigma = softplus(rho) + 1e-6 with rho starting at {@code initRho},
   * prior N(0, priorStd^2 I), loss = mean NLL of a batch + T * KL / N, Adam for {@code epochs}.
   */
  public record Variational(int epochs, int batchSize, double lr, double initRho, double priorStd) {}

  /**
   * HMC and NUTS: {@code warmup} iterations adapt the step size by dual averaging towards
   * {@code targetAcceptance} and are discarded; HMC takes {@code leapfrogSteps} per iteration,
   * NUTS doubles its trajectory at most {@code maxTreeDepth} times.
   */
  public record Hamiltonian(int warmup, double targetAcceptance, int leapfrogSteps, int maxTreeDepth) {}
}
