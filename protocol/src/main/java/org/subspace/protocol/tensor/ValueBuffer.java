package org.subspace.protocol.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Moves arrays of values to and from little-endian bytes through one bounded buffer, so that
 * writing or reading a tensor of any size costs this buffer and nothing more on the heap.
 */
public final class ValueBuffer {
  /** 1 MiB: large enough for full-speed disk and hashing, small beside any heap. */
  public static final int BYTES = 1 << 20;

  private final ByteBuffer buffer = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);

  /** Moves {@code count} values starting at {@code from} between an array and the buffer. */
  private interface Piece {
    void move(ByteBuffer buffer, int from, int count);
  }

  public void write(OutputStream out, float[] values) throws IOException {
    write(out, values.length, Float.BYTES, (b, from, n) -> b.asFloatBuffer().put(values, from, n));
  }

  public void write(OutputStream out, double[] values) throws IOException {
    write(out, values.length, Double.BYTES, (b, from, n) -> b.asDoubleBuffer().put(values, from, n));
  }

  public void write(OutputStream out, long[] values) throws IOException {
    write(out, values.length, Long.BYTES, (b, from, n) -> b.asLongBuffer().put(values, from, n));
  }

  public void read(InputStream in, float[] values) throws IOException {
    read(in, values.length, Float.BYTES, (b, from, n) -> b.asFloatBuffer().get(values, from, n));
  }

  public void read(InputStream in, double[] values) throws IOException {
    read(in, values.length, Double.BYTES, (b, from, n) -> b.asDoubleBuffer().get(values, from, n));
  }

  public void read(InputStream in, long[] values) throws IOException {
    read(in, values.length, Long.BYTES, (b, from, n) -> b.asLongBuffer().get(values, from, n));
  }

  private void write(OutputStream out, int length, int width, Piece put) throws IOException {
    for (int from = 0; from < length; ) {
      int n = Math.min(length - from, BYTES / width);
      buffer.clear();
      put.move(buffer, from, n);
      out.write(buffer.array(), 0, n * width);
      from += n;
    }
  }

  private void read(InputStream in, int length, int width, Piece get) throws IOException {
    for (int from = 0; from < length; ) {
      int n = Math.min(length - from, BYTES / width);
      buffer.clear();
      if (in.readNBytes(buffer.array(), 0, n * width) != n * width) {
        throw new IOException("truncated data: fewer bytes than the shape needs");
      }
      get.move(buffer, from, n);
      from += n;
    }
  }
}
