package org.subspace.protocol.tensor;

import java.io.ByteArrayInputStream;
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
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npy} format (version 1.0, C order, little-endian float32/float64/int64) and its
 * {@code .npz} archive (an uncompressed zip of {@code .npy} members, ZIP64 beyond 4 GiB), so
 * Python users can {@code numpy.load} what we write. Members are written and read in bounded
 * pieces ({@link ValueBuffer}): an archive's size is limited by the disk, not by the heap.
 * Reading is strict: anything else is an {@link IOException}.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern HEADER = Pattern.compile(
      "\\{'descr': '([<>|][a-z][0-9]+)', 'fortran_order': (True|False), 'shape': \\(([0-9, ]*)\\), \\}");
  /** Magic, version and the header's length. */
  private static final int PREAMBLE = MAGIC.length + 4;

  /** The earliest time a zip entry can hold. */
  private static final LocalDateTime ZIP_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

  private Npy() {}

  /** A member's header as read: what its values are, and how many bytes precede them. */
  record Header(Tensor.DType dtype, long[] shape, int bytes) {
    long dataBytes() {
      return Tensor.elements(shape) * dtype.bytes;
    }
  }

  /** Magic, version 1.0, and the dict padded so that the values start on a 64-byte boundary. */
  static byte[] header(Tensor.DType dtype, long[] shape) {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    if (shape.length > 1) {
      dims.setLength(dims.length() - 2);
    } else if (shape.length == 1) {
      dims.setLength(dims.length() - 1);
    }
    String dict = "{'descr': '" + dtype.numpyDescr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    int unpadded = PREAMBLE + dict.length() + 1;
    String text = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    ByteBuffer buffer = ByteBuffer.allocate(PREAMBLE + text.length()).order(ByteOrder.LITTLE_ENDIAN);
    buffer.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
    buffer.put(text.getBytes(StandardCharsets.US_ASCII));
    return buffer.array();
  }

  /** A whole {@code .npy} member in memory: for small tensors only. */
  public static byte[] toBytes(Tensor tensor) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeMember(out, tensor, new ValueBuffer());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  public static Tensor fromBytes(byte[] bytes) throws IOException {
    InputStream in = new ByteArrayInputStream(bytes);
    Header header = readHeader(in);
    if (bytes.length - header.bytes() != header.dataBytes()) {
      throw new IOException("expected " + header.dataBytes() + " data bytes, found " + (bytes.length - header.bytes()));
    }
    return readValues(in, header, new ValueBuffer());
  }

  private static void writeMember(OutputStream out, NpyData data, ValueBuffer scratch) throws IOException {
    writeMember(out, header(data.dtype(), data.shape()), data, scratch);
  }

  private static void writeMember(OutputStream out, byte[] header, NpyData data, ValueBuffer scratch)
      throws IOException {
    out.write(header);
    data.writeValues(out, scratch);
  }

  static Header readHeader(InputStream in) throws IOException {
    byte[] preamble = in.readNBytes(PREAMBLE);
    if (preamble.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(preamble, MAGIC.length), MAGIC)) {
      throw new IOException("not a .npy file (bad magic)");
    }
    if (preamble.length < PREAMBLE || preamble[6] != 1 || preamble[7] != 0) {
      throw new IOException("unsupported .npy version (only 1.0 is read)");
    }
    int length = Short.toUnsignedInt(ByteBuffer.wrap(preamble, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort());
    byte[] text = in.readNBytes(length);
    if (text.length < length) {
      throw new IOException("truncated .npy header");
    }
    String dict = new String(text, StandardCharsets.US_ASCII).strip();
    Matcher m = HEADER.matcher(dict);
    if (!m.matches()) {
      throw new IOException("unsupported .npy header: " + dict);
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
    long[] shape;
    try {
      shape = Arrays.stream(dims).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
      Tensor.elements(shape);
    } catch (ArithmeticException | IllegalArgumentException e) {
      throw new IOException("impossible shape (" + m.group(3) + ")");
    }
    return new Header(dtype, shape, PREAMBLE + length);
  }

  /** The values that follow {@code header}, as one tensor on the heap. */
  static Tensor readValues(InputStream in, Header header, ValueBuffer scratch) throws IOException {
    long size = Tensor.elements(header.shape());
    if (size > Integer.MAX_VALUE - 8) {
      throw new IOException("a tensor of " + size + " values does not fit one array; read it by rows");
    }
    int n = (int) size;
    return switch (header.dtype()) {
      case FLOAT32 -> {
        float[] values = new float[n];
        scratch.read(in, values);
        yield Tensor.of(values, header.shape());
      }
      case FLOAT64 -> {
        double[] values = new double[n];
        scratch.read(in, values);
        yield Tensor.of(values, header.shape());
      }
      case INT64 -> {
        long[] values = new long[n];
        scratch.read(in, values);
        yield Tensor.of(values, header.shape());
      }
    };
  }

  /**
   * Writes an uncompressed {@code .npz}: one {@code NAME.npy} member per entry, in order. A
   * stored zip member must announce its CRC before its bytes, so each member's values are
   * passed over twice (once for the CRC, once to write them); neither pass copies them.
   */
  public static void writeNpz(OutputStream out, Map<String, ? extends NpyData> members) throws IOException {
    ZipOutputStream zip = new ZipOutputStream(out);
    ValueBuffer scratch = new ValueBuffer();
    for (Map.Entry<String, ? extends NpyData> entry : members.entrySet()) {
      NpyData data = entry.getValue();
      byte[] header = header(data.dtype(), data.shape());
      CheckedOutputStream crc = new CheckedOutputStream(OutputStream.nullOutputStream(), new CRC32());
      writeMember(crc, header, data, scratch);
      ZipEntry member = new ZipEntry(entry.getKey() + ".npy");
      // A fixed timestamp: the same tensors must give the same bytes, hence the same sha256.
      member.setTimeLocal(ZIP_TIME);
      member.setMethod(ZipEntry.STORED);
      member.setSize(header.length + Tensor.elements(data.shape()) * data.dtype().bytes);
      member.setCrc(crc.getChecksum().getValue());
      zip.putNextEntry(member);
      writeMember(zip, header, data, scratch);
      zip.closeEntry();
    }
    zip.finish();
  }

  public static byte[] npzBytes(Map<String, ? extends NpyData> members) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeNpz(out, members);
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  /** Reads a whole {@code .npz} from a stream, member by member; {@link NpzFile} reads a file by name. */
  public static Map<String, Tensor> readNpz(InputStream in) throws IOException {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    ZipInputStream zip = new ZipInputStream(in);
    ValueBuffer scratch = new ValueBuffer();
    ZipEntry entry;
    while ((entry = nextEntry(zip)) != null) {
      String name = memberName(entry);
      Header header = readHeader(zip);
      if (entry.getSize() >= 0 && entry.getSize() != header.bytes() + header.dataBytes()) {
        throw new IOException("member " + entry.getName() + " holds " + entry.getSize() + " bytes, its header says "
            + (header.bytes() + header.dataBytes()));
      }
      tensors.put(name, readValues(zip, header, scratch));
      if (zip.read() != -1) {
        throw new IOException("member " + entry.getName() + " has bytes beyond its values");
      }
    }
    if (tensors.isEmpty()) {
      throw new IOException("empty or invalid .npz archive");
    }
    return tensors;
  }

  /** The next member; a name that is no valid UTF-8 is the archive's fault, not the caller's. */
  private static ZipEntry nextEntry(ZipInputStream zip) throws IOException {
    try {
      return zip.getNextEntry();
    } catch (IllegalArgumentException e) {
      throw new IOException("malformed .npz member header: " + e.getMessage(), e);
    }
  }

  /** A member's tensor name: its file name without {@code .npy}. */
  static String memberName(ZipEntry entry) throws IOException {
    String name = entry.getName();
    if (!name.endsWith(".npy") || entry.isDirectory()) {
      throw new IOException("unexpected member " + name + " in .npz");
    }
    // Ours are stored: a compressed member could inflate to anything from a few bytes.
    if (entry.getMethod() != ZipEntry.STORED) {
      throw new IOException("member " + name + " is compressed; .npz artifacts are stored uncompressed");
    }
    return name.substring(0, name.length() - 4);
  }
}
