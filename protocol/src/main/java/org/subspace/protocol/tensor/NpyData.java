package org.subspace.protocol.tensor;

import java.io.IOException;
import java.io.OutputStream;

/**
 * What one {@code .npy} member holds, as the {@code .npz} writer needs it: a dtype, a shape and
 * the values, written little-endian in bounded pieces. A {@link Tensor} is one; {@link FloatRows}
 * is a float32 matrix kept as separate rows, so that a matrix of several GB (SWAG deviations,
 * a projection) is written without first being copied into one array.
 */
public interface NpyData {
  Tensor.DType dtype();

  long[] shape();

  /** Writes the values, C order, little-endian; {@code scratch} is a reusable buffer of the writer's. */
  void writeValues(OutputStream out, ValueBuffer scratch) throws IOException;
}
