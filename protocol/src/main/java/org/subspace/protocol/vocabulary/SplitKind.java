package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the rows of a dataset are cut into training and evaluation rows. */
public enum SplitKind implements Spelled {
  /** The reference implementation's splits, one per index. */
  @JsonProperty("reference") REFERENCE,
  /** Train on every row, score the same rows. */
  @JsonProperty("all") ALL,
  /** Generated toy and images: a separately generated (or shipped) test set. */
  @JsonProperty("held-out") HELD_OUT;

  /** Which rows the configurations of this kind of split are scored on. */
  public EvalSet evalSet() {
    return this == ALL ? EvalSet.TRAIN : EvalSet.TEST;
  }
}
