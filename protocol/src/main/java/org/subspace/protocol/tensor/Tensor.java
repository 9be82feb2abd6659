package org.subspace.protocol.tensor;

import java.util.Arrays;

/**
 * A dense little-endian tensor as it travels and is stored: a dtype, a shape and the values
 * in row-major order (float32 as {@code float[]}, float64 as {@code double[]}).
 */
public record Tensor(DType dtype, long[] shape, float[] floats, double[] doubles) {

  public enum DType {
    FLOAT32("<f4", 4),
    FLOAT64("<f8", 8);

    public final String numpyDescr;
    public final int bytes;

    DType(String numpyDescr, int bytes) {
      this.numpyDescr = numpyDescr;
      this.bytes = bytes;
    }
  }

  public Tensor {
    shape = shape.clone();
    long size = elements(shape);
    long held = dtype == DType.FLOAT32 ? floats.length : doubles.length;
    if (size != held) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size + " values, got " + held);
    }
  }

  public static Tensor of(float[] values, long... shape) {
    return new Tensor(DType.FLOAT32, shape, values, null);
  }

  public static Tensor of(double[] values, long... shape) {
    return new Tensor(DType.FLOAT64, shape, null, values);
  }

  /** A float32 matrix from rows of equal length. */
  public static Tensor ofRows(float[][] rows) {
    int columns = rows.length == 0 ? 0 : rows[0].length;
    float[] flat = new float[rows.length * columns];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * columns, columns);
    }
    return of(flat, rows.length, columns);
  }

  /** A float64 matrix from rows of equal length. */
  public static Tensor ofRows(double[][] rows) {
    int columns = rows.length == 0 ? 0 : rows[0].length;
    double[] flat = new double[rows.length * columns];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * columns, columns);
    }
    return of(flat, rows.length, columns);
  }

  public long size() {
    return elements(shape);
  }

  static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && dtype == t.dtype && Arrays.equals(shape, t.shape)
        && Arrays.equals(floats, t.floats) && Arrays.equals(doubles, t.doubles);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + (dtype == DType.FLOAT32 ? Arrays.hashCode(floats) : Arrays.hashCode(doubles));
  }

  @Override
  public String toString() {
    return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]";
  }
}
