package org.subspace.protocol.spec;

/**
 * The tempered posterior over subspace coordinates z:
 * {@code log p(z | D) = -NLL(D; mean + P^T z) / temperature + log N(z; 0, priorStd^2 I)}, with
 * {@code subspace} at the chain's own rank.
 *
 * @param noiseVariance the likelihood's noise variance for a regression mean head
 */
public record SubspacePosterior(Problem problem, SubspaceSpec subspace, double noiseVariance, double temperature,
    double priorStd) {

  public int rank() {
    return subspace.rank();
  }
}
