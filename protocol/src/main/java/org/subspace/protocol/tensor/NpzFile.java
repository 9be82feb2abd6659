package org.subspace.protocol.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * An {@code .npz} file opened for reading member by member, without reading the rest: a stage
 * that needs a training state's weights does not read its deviations, and a matrix too large
 * for one array is read as rows. Opening checks every member's header against its size; a
 * member that is malformed or absent is an {@link UncheckedIOException} naming the file.
 */
public final class NpzFile implements AutoCloseable {
  private record Member(ZipEntry entry, Npy.Header header) {}

  private final Path file;
  private final ZipFile zip;
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final ValueBuffer scratch = new ValueBuffer();

  private NpzFile(Path file, ZipFile zip) {
    this.file = file;
    this.zip = zip;
  }

  public static NpzFile open(Path file) throws IOException {
    NpzFile npz = new NpzFile(file, new ZipFile(file.toFile()));
    try {
      long fileSize = Files.size(file);
      Enumeration<? extends ZipEntry> entries = npz.zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        String name = Npy.memberName(entry);
        if (entry.getSize() > fileSize) {
          throw new IOException("member " + entry.getName() + " claims " + entry.getSize() + " bytes, more than the "
              + fileSize + " of the whole file");
        }
        Npy.Header header;
        try (InputStream in = npz.zip.getInputStream(entry)) {
          header = Npy.readHeader(in);
        }
        if (entry.getSize() != header.bytes() + header.dataBytes()) {
          throw new IOException("member " + entry.getName() + " holds " + entry.getSize()
              + " bytes, its header says " + (header.bytes() + header.dataBytes()));
        }
        npz.members.put(name, new Member(entry, header));
      }
      if (npz.members.isEmpty()) {
        throw new IOException("empty .npz archive");
      }
      return npz;
    } catch (IOException | RuntimeException e) {
      npz.close();
      throw e;
    }
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(members.keySet());
  }

  public long[] shape(String name) {
    return member(name).header().shape().clone();
  }

  /** The whole member as one tensor on the heap. */
  public Tensor tensor(String name) {
    Member member = member(name);
    try (InputStream in = valuesOf(member)) {
      return Npy.readValues(in, member.header(), scratch);
    } catch (IOException e) {
      throw failure(name, e);
    }
  }

  /** A float32 matrix as separate rows: a matrix beyond one array's reach is read this way. */
  public float[][] floatRows(String name) {
    List<float[]> rows = new ArrayList<>();
    readRows(name, true, rows::add);
    return rows.toArray(new float[0][]);
  }

  /**
   * Streams a float32 matrix row by row through one reused array: a matrix of any size, read
   * with one row of memory. {@code each} must not keep the array it is given.
   */
  public void forEachRow(String name, Consumer<float[]> each) {
    readRows(name, false, each);
  }

  /** Reads a float32 matrix row by row, each into a new array when {@code fresh}, else into one reused array. */
  private void readRows(String name, boolean fresh, Consumer<float[]> each) {
    Member member = member(name);
    long[] shape = member.header().shape();
    if (member.header().dtype() != Tensor.DType.FLOAT32 || shape.length != 2) {
      throw failure(name, new IOException("expected a float32 matrix, found " + member.header().dtype() + " of shape "
          + Arrays.toString(shape)));
    }
    int columns = Math.toIntExact(shape[1]);
    float[] row = new float[columns];
    try (InputStream in = valuesOf(member)) {
      for (long r = 0; r < shape[0]; r++) {
        if (fresh && r > 0) {
          row = new float[columns];
        }
        scratch.read(in, row);
        each.accept(row);
      }
    } catch (IOException e) {
      throw failure(name, e);
    }
  }

  /** Every member, in the archive's order. */
  public Map<String, Tensor> all() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    members.keySet().forEach(name -> tensors.put(name, tensor(name)));
    return tensors;
  }

  private Member member(String name) {
    Member member = members.get(name);
    if (member == null) {
      throw failure(name, new IOException("no such member (the archive has " + members.keySet() + ")"));
    }
    return member;
  }

  private InputStream valuesOf(Member member) throws IOException {
    InputStream in = zip.getInputStream(member.entry());
    in.skipNBytes(member.header().bytes());
    return in;
  }

  private UncheckedIOException failure(String name, IOException e) {
    return new UncheckedIOException(file + ": member " + name + ": " + e.getMessage(), e);
  }

  @Override
  public void close() {
    try {
      zip.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
    }
  }
}
