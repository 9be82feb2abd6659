package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Inference methods. Five sample (or fit) the posterior in a subspace at a temperature; the
 * two baselines use the trained network itself (SGD) or its SWAG Gaussian, with no subspace
 * and no temperature.
 */
public enum Method implements Spelled {
  /** Elliptical slice sampling. */
  @JsonProperty("ess") ESS(Family.CHAIN),
  /** Diagonal Gaussian variational inference. */
  @JsonProperty("vi") VI(Family.VARIATIONAL),
  /** Full-covariance Gaussian variational inference. */
  @JsonProperty("vi-full") VI_FULL(Family.VARIATIONAL),
  /** Hamiltonian Monte Carlo with a fixed number of leapfrog steps. */
  @JsonProperty("hmc") HMC(Family.HAMILTONIAN),
  /** The No-U-Turn sampler. */
  @JsonProperty("nuts") NUTS(Family.HAMILTONIAN),
  @JsonProperty("sgd") SGD(Family.BASELINE),
  @JsonProperty("swag") SWAG(Family.BASELINE);

  /** How a method's samples come about, which decides its settings and its stages. */
  public enum Family { CHAIN, VARIATIONAL, HAMILTONIAN, BASELINE }

  private final Family family;

  Method(Family family) {
    this.family = family;
  }

  public Family family() {
    return family;
  }

  /** Samples in a subspace at a temperature (every method but the baselines). */
  public boolean inSubspace() {
    return family != Family.BASELINE;
  }

  /** Its samples form a Markov chain, correlated draw to draw (ESS, HMC, NUTS). */
  public boolean markovChain() {
    return family == Family.CHAIN || family == Family.HAMILTONIAN;
  }
}
