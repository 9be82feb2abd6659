package org.subspace.orchestrator.sweep;

import org.subspace.protocol.RegressionScores;

/**
 * One evaluated configuration of a sweep. {@code scores} is null when the configuration
 * failed; {@code error} then says why.
 */
public record ResultRow(
    String dataset,
    String split,
    long seed,
    String subspace,
    int rank,
    String method,
    double temperature,
    RegressionScores scores,
    String evalSet,
    int samples,
    long likelihoodEvaluations,
    double trainSeconds,
    double sampleSeconds,
    String error) {

  public boolean ok() {
    return error == null;
  }

  /** A short label unique within a sweep, usable in file names. */
  public String label() {
    return String.format("split-%s-seed%d-%s-r%d-%s-T%s", split, seed, subspace, rank, method, temperature);
  }
}
