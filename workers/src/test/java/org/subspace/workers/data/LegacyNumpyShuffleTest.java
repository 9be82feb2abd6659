package org.subspace.workers.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LegacyNumpyShuffleTest {
  private static final Path VECTORS = Path.of("../shared/reference/split_vectors.csv");

  @Test
  void reproducesTheReferenceSplitVectors() throws IOException {
    List<String> lines = Files.readAllLines(VECTORS);
    assertTrue(lines.size() > 10, "test vectors present in " + VECTORS.toAbsolutePath());
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      int n = Integer.parseInt(f[0]);
      long seed = Long.parseLong(f[1]);
      int[] permutation = LegacyNumpyShuffle.permutation(n, seed);
      assertEquals(Integer.parseInt(f[2]), (int) (0.9 * n), "train size of " + line);
      int[] first = Arrays.stream(f[3].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
      int[] last = Arrays.stream(f[4].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
      assertArrayEquals(first, Arrays.copyOfRange(permutation, 0, first.length), "first entries for " + line);
      assertArrayEquals(last, Arrays.copyOfRange(permutation, n - last.length, n), "last entries for " + line);
    }
  }

  @Test
  void isAPermutation() {
    int[] p = LegacyNumpyShuffle.permutation(1000, 123);
    int[] sorted = p.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      assertEquals(i, sorted[i]);
    }
  }
}
