package org.subspace.protocol.tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** A float32 matrix held as its rows (each of {@code columns} values), written row after row. */
public record FloatRows(List<float[]> rows, int columns) implements NpyData {
  public FloatRows {
    rows = List.copyOf(rows);
    for (float[] row : rows) {
      if (row.length != columns) {
        throw new IllegalArgumentException("a row of " + row.length + " values in a matrix of " + columns + " columns");
      }
    }
  }

  @Override
  public Tensor.DType dtype() {
    return Tensor.DType.FLOAT32;
  }

  @Override
  public long[] shape() {
    return new long[] {rows.size(), columns};
  }

  @Override
  public void writeValues(OutputStream out, ValueBuffer scratch) throws IOException {
    for (float[] row : rows) {
      scratch.write(out, row);
    }
  }
}
