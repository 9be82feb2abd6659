package org.subspace.orchestrator.plan;

/**
 * The coordinates of one evaluated configuration: a row of results.csv. The SGD and SWAG
 * baselines have subspace "none", rank 0 and no temperature (NaN).
 */
public record Configuration(
    String dataset, String split, long seed, String subspace, int rank, String method, double temperature,
    String evalSet) {

  /** A short label unique within a sweep, usable in file names. */
  public String label() {
    String base = String.format("%s-split-%s-seed%d", dataset, split, seed);
    if (Double.isNaN(temperature)) {
      return base + "-" + method;
    }
    return String.format("%s-%s-r%d-%s-T%s", base, subspace, rank, method, temperature);
  }
}
