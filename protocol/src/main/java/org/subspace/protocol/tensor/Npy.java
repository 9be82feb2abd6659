package org.subspace.protocol.tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npy} format (version 1.0, C order, little-endian float32/float64) and its
 * {@code .npz} archive (a zip of {@code .npy} members), so Python users can
 * {@code numpy.load} what we write. Reading is strict: anything else is an {@link IOException}.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern HEADER = Pattern.compile(
      "\\{'descr': '([<>|][a-z][0-9]+)', 'fortran_order': (True|False), 'shape': \\(([0-9, ]*)\\), \\}");

  /** The earliest time a zip entry can hold. */
  private static final LocalDateTime ZIP_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

  private Npy() {}

  public static byte[] toBytes(Tensor tensor) {
    StringBuilder shape = new StringBuilder();
    for (long d : tensor.shape()) {
      shape.append(d).append(", ");
    }
    if (tensor.shape().length > 1) {
      shape.setLength(shape.length() - 2);
    } else if (tensor.shape().length == 1) {
      shape.setLength(shape.length() - 1);
    }
    String dict = "{'descr': '" + tensor.dtype().numpyDescr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
    // Pad with spaces and a newline so that magic + version + length + header is a multiple of 64.
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    long dataBytes = tensor.size() * tensor.dtype().bytes;
    ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(MAGIC.length + 4 + header.length() + dataBytes))
        .order(ByteOrder.LITTLE_ENDIAN);
    buffer.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    buffer.put(header.getBytes(StandardCharsets.US_ASCII));
    switch (tensor.dtype()) {
      case FLOAT32 -> buffer.asFloatBuffer().put(tensor.floats());
      case FLOAT64 -> buffer.asDoubleBuffer().put(tensor.doubles());
      case INT64 -> buffer.asLongBuffer().put(tensor.longs());
    }
    return buffer.array();
  }

  public static Tensor fromBytes(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (byte b : MAGIC) {
      if (!buffer.hasRemaining() || buffer.get() != b) {
        throw new IOException("not a .npy file (bad magic)");
      }
    }
    if (buffer.remaining() < 4 || buffer.get() != 1 || buffer.get() != 0) {
      throw new IOException("unsupported .npy version (only 1.0 is read)");
    }
    int headerLength = Short.toUnsignedInt(buffer.getShort());
    if (buffer.remaining() < headerLength) {
      throw new IOException("truncated .npy header");
    }
    byte[] headerBytes = new byte[headerLength];
    buffer.get(headerBytes);
    String header = new String(headerBytes, StandardCharsets.US_ASCII).strip();
    Matcher m = HEADER.matcher(header);
    if (!m.matches()) {
      throw new IOException("unsupported .npy header: " + header);
    }
    if (m.group(2).equals("True")) {
      throw new IOException("Fortran-ordered arrays are not supported");
    }
    Tensor.DType dtype = switch (m.group(1)) {
      case "<f4" -> Tensor.DType.FLOAT32;
      case "<f8" -> Tensor.DType.FLOAT64;
      case "<i8" -> Tensor.DType.INT64;
      default -> throw new IOException("unsupported dtype " + m.group(1) + " (float32, float64, int64 are read)");
    };
    String[] dims = m.group(3).replace(" ", "").split(",");
    long[] shape = Arrays.stream(dims).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
    long size = Tensor.elements(shape);
    if (buffer.remaining() != size * dtype.bytes) {
      throw new IOException("expected " + size * dtype.bytes + " data bytes, found " + buffer.remaining());
    }
    int n = Math.toIntExact(size);
    return switch (dtype) {
      case FLOAT32 -> {
        float[] values = new float[n];
        buffer.asFloatBuffer().get(values);
        yield Tensor.of(values, shape);
      }
      case FLOAT64 -> {
        double[] values = new double[n];
        buffer.asDoubleBuffer().get(values);
        yield Tensor.of(values, shape);
      }
      case INT64 -> {
        long[] values = new long[n];
        buffer.asLongBuffer().get(values);
        yield Tensor.of(values, shape);
      }
    };
  }

  /** Writes an uncompressed {@code .npz}: one {@code NAME.npy} member per entry, in order. */
  public static void writeNpz(OutputStream out, Map<String, Tensor> tensors) throws IOException {
    ZipOutputStream zip = new ZipOutputStream(out);
    for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
      byte[] bytes = toBytes(entry.getValue());
      ZipEntry member = new ZipEntry(entry.getKey() + ".npy");
      // A fixed timestamp: the same tensors must give the same bytes, hence the same sha256.
      member.setTimeLocal(ZIP_TIME);
      member.setMethod(ZipEntry.STORED);
      member.setSize(bytes.length);
      CRC32 crc = new CRC32();
      crc.update(bytes);
      member.setCrc(crc.getValue());
      zip.putNextEntry(member);
      zip.write(bytes);
      zip.closeEntry();
    }
    zip.finish();
  }

  public static byte[] npzBytes(Map<String, Tensor> tensors) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeNpz(out, tensors);
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  public static Map<String, Tensor> readNpz(InputStream in) throws IOException {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    ZipInputStream zip = new ZipInputStream(in);
    ZipEntry entry;
    while ((entry = zip.getNextEntry()) != null) {
      String name = entry.getName();
      if (!name.endsWith(".npy")) {
        throw new IOException("unexpected member " + name + " in .npz");
      }
      tensors.put(name.substring(0, name.length() - 4), fromBytes(zip.readAllBytes()));
    }
    if (tensors.isEmpty()) {
      throw new IOException("empty or invalid .npz archive");
    }
    return tensors;
  }
}
