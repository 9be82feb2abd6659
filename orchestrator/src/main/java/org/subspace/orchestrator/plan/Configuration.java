package org.subspace.orchestrator.plan;

import org.subspace.protocol.vocabulary.EvalSet;
import org.subspace.protocol.vocabulary.Method;
import org.subspace.protocol.vocabulary.SubspaceKind;

/**
 * The coordinates of one evaluated configuration: a row of results.csv. The SGD and SWAG
 * baselines have no subspace (null, written "none"), rank 0 and no temperature (NaN).
 */
public record Configuration(
    String dataset, String split, long seed, SubspaceKind subspace, int rank, Method method, double temperature,
    EvalSet evalSet) {

  /** The spelling of {@code subspace} in results and labels. */
  public static final String NO_SUBSPACE = "none";

  public String subspaceLabel() {
    return subspace == null ? NO_SUBSPACE : subspace.label();
  }

  /** A short label unique within a sweep, usable in file names. */
  public String label() {
    String base = String.format("%s-split-%s-seed%d", dataset, split, seed);
    if (Double.isNaN(temperature)) {
      return base + "-" + method.label();
    }
    return String.format("%s-%s-r%d-%s-T%s", base, subspaceLabel(), rank, method.label(), temperature);
  }
}
