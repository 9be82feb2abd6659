package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A fixed transformation of the raw input columns, applied before standardization. */
public enum FeatureMap implements Spelled {
  /** The columns as they are. */
  @JsonProperty("raw") RAW,
  /** The toy regression's features (x/2, (x/2)^2) of a single input column x. */
  @JsonProperty("toy-quadratic") TOY_QUADRATIC;

  public int outputColumns(int inputColumns) {
    return this == RAW ? inputColumns : 2;
  }

  public double[] apply(double[] row) {
    if (this == RAW) {
      return row.clone();
    }
    if (row.length != 1) {
      throw new IllegalArgumentException("toy-quadratic features need exactly one input column, got " + row.length);
    }
    double half = row[0] / 2.0;
    return new double[] {half, half * half};
  }
}
