package org.subspace.protocol.tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A dense little-endian tensor as it travels and is stored: a dtype, a shape and the values
 * in row-major order (float32 as {@code float[]}, float64 as {@code double[]}, int64 as
 * {@code long[]}); the arrays of the other dtypes are null.
 */
public record Tensor(DType dtype, long[] shape, float[] floats, double[] doubles, long[] longs) implements NpyData {

  public enum DType {
    FLOAT32("<f4", 4),
    FLOAT64("<f8", 8),
    INT64("<i8", 8);

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
    long held = switch (dtype) {
      case FLOAT32 -> floats.length;
      case FLOAT64 -> doubles.length;
      case INT64 -> longs.length;
    };
    if (size != held) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size + " values, got " + held);
    }
  }

  public static Tensor of(float[] values, long... shape) {
    return new Tensor(DType.FLOAT32, shape, values, null, null);
  }

  public static Tensor of(double[] values, long... shape) {
    return new Tensor(DType.FLOAT64, shape, null, values, null);
  }

  public static Tensor of(long[] values, long... shape) {
    return new Tensor(DType.INT64, shape, null, null, values);
  }

  public static Tensor scalar(double value) {
    return of(new double[] {value});
  }

  public static Tensor scalar(long value) {
    return of(new long[] {value});
  }

  public double doubleValue() {
    return switch (dtype) {
      case FLOAT32 -> floats[0];
      case FLOAT64 -> doubles[0];
      case INT64 -> longs[0];
    };
  }

  public long longValue() {
    if (dtype != DType.INT64) {
      throw new IllegalStateException("not an int64 tensor: " + this);
    }
    return longs[0];
  }

  /** The rows of a float32 matrix. */
  public float[][] floatRows() {
    int rows = (int) shape[0];
    int columns = rows == 0 ? 0 : floats.length / rows;
    float[][] out = new float[rows][];
    for (int r = 0; r < rows; r++) {
      out[r] = Arrays.copyOfRange(floats, r * columns, (r + 1) * columns);
    }
    return out;
  }

  /** The rows of a float64 matrix. */
  public double[][] doubleRows() {
    int rows = (int) shape[0];
    int columns = rows == 0 ? 0 : doubles.length / rows;
    double[][] out = new double[rows][];
    for (int r = 0; r < rows; r++) {
      out[r] = Arrays.copyOfRange(doubles, r * columns, (r + 1) * columns);
    }
    return out;
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

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public void writeValues(OutputStream out, ValueBuffer scratch) throws IOException {
    switch (dtype) {
      case FLOAT32 -> scratch.write(out, floats);
      case FLOAT64 -> scratch.write(out, doubles);
      case INT64 -> scratch.write(out, longs);
    }
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
        && Arrays.equals(floats, t.floats) && Arrays.equals(doubles, t.doubles) && Arrays.equals(longs, t.longs);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(floats) + Arrays.hashCode(doubles) + Arrays.hashCode(longs);
  }

  @Override
  public String toString() {
    return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]";
  }
}
