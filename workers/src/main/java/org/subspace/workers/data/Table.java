package org.subspace.workers.data;

/** A numeric table split into features (rows x columns) and a target column. */
public record Table(double[][] features, double[] target, String source) {

  public int rows() {
    return target.length;
  }

  public int columns() {
    return features.length == 0 ? 0 : features[0].length;
  }
}
