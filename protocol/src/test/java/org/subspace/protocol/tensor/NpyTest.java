package org.subspace.protocol.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

class NpyTest {

  @Test
  void headerIsNumpysVersionOneLayout() {
    byte[] bytes = Npy.toBytes(Tensor.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 2, 3));
    String header = new String(bytes, 10, bytes.length - 10 - 24, StandardCharsets.US_ASCII);
    assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header.strip());
    assertEquals(0, (10 + header.length()) % 64, "data starts on a 64-byte boundary");
    assertEquals('\n', header.charAt(header.length() - 1));
    String vector = new String(Npy.toBytes(Tensor.of(new double[] {1, 2}, 2)), StandardCharsets.US_ASCII);
    assertEquals(true, vector.contains("'shape': (2,)"), "one-dimensional shapes keep their comma");
  }

  @Test
  void roundTripsFloatsDoublesAndScalars() throws IOException {
    Tensor matrix = Tensor.of(new float[] {1.5f, -2f, Float.MIN_VALUE, 7f}, 2, 2);
    Tensor vector = Tensor.of(new double[] {Math.PI, -0.0, 1e300}, 3);
    Tensor scalar = Tensor.scalar(42.0);
    Tensor counter = Tensor.of(new long[] {Long.MIN_VALUE, -1, 7}, 3);
    for (Tensor t : new Tensor[] {matrix, vector, scalar, counter}) {
      assertEquals(t, Npy.fromBytes(Npy.toBytes(t)));
    }
    Map<String, Tensor> archive = new LinkedHashMap<>();
    archive.put("matrix", matrix);
    archive.put("vector", vector);
    assertEquals(archive, Npy.readNpz(new ByteArrayInputStream(Npy.npzBytes(archive))));
  }

  @Test
  void rejectsCorruptedBytes() {
    byte[] good = Npy.toBytes(Tensor.of(new float[] {1f, 2f}, 2));
    assertThrows(IOException.class, () -> Npy.fromBytes(Arrays.copyOf(good, good.length - 1)), "truncated");
    byte[] badMagic = good.clone();
    badMagic[1] = 'X';
    assertThrows(IOException.class, () -> Npy.fromBytes(badMagic));
    assertThrows(IOException.class, () -> Npy.readNpz(new ByteArrayInputStream(new byte[] {1, 2, 3})));
  }

  @Test
  void rejectsShapesThatDoNotMatchTheValues() {
    assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[] {1f, 2f, 3f}, 2, 2));
    assertArrayEquals(new long[] {2, 2}, Tensor.ofRows(new float[][] {{1, 2}, {3, 4}}).shape());
  }

  @Test
  void theSameTensorsGiveTheSameBytesWhateverTheClock() throws IOException {
    Map<String, Tensor> archive = Map.of("z", Tensor.of(new double[] {1, 2}, 2));
    byte[] bytes = Npy.npzBytes(archive);
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      ZipEntry entry = zip.getNextEntry();
      assertEquals(LocalDateTime.of(1980, 1, 1, 0, 0), entry.getTimeLocal(), "no wall-clock time in the archive");
    }
    assertArrayEquals(bytes, Npy.npzBytes(archive));
  }
}
