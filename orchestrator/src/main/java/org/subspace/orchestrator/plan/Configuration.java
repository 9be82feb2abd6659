package org.subspace.orchestrator.plan;

/** The coordinates of one evaluated configuration: a row of results.csv. */
public record Configuration(
    String dataset, String split, long seed, String subspace, int rank, String method, double temperature,
    String evalSet) {

  /** A short label unique within a sweep, usable in file names. */
  public String label() {
    return String.format("%s-split-%s-seed%d-%s-r%d-%s-T%s", dataset, split, seed, subspace, rank, method,
        temperature);
  }
}
