package org.subspace.workers.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.protocol.Sha256;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.vocabulary.DataSource;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.Separator;
import org.subspace.protocol.vocabulary.SplitKind;

/** A worker uses the data file the sweep was planned with, or fails naming file, node and both hashes. */
class DataFilesTest {
  @TempDir Path dir;

  private static DataSpec table(Path file, String sha256) {
    return new DataSpec("t", DataSource.TABLE, file.toString(), sha256, Separator.COMMA, 0, 1, List.of(),
        FeatureMap.RAW, false, SplitKind.ALL, 2, 1, 0, null);
  }

  @Test
  void anotherFileAtThePlannedPathIsRefused() throws IOException {
    Path file = dir.resolve("data.csv");
    Files.writeString(file, "1,2\n3,4\n5,6\n");
    String planned = DataFiles.contentSha256(DataSource.TABLE, file, null);
    assertEquals(Sha256.hex(file), planned);
    assertDoesNotThrow(() -> DataFiles.requireContent(table(file, planned)));

    // Edited after planning: the size changes, so the hash is computed afresh, and differs.
    Files.writeString(file, "1,2\n3,4\n5,7\n9,9\n");
    String now = Sha256.hex(file);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> DataFiles.requireContent(table(file, planned)));
    assertTrue(e.getMessage().startsWith(file + " on "), e.getMessage());
    assertTrue(e.getMessage().contains("its content hashes to " + now.substring(0, 12)
        + ", but the sweep was planned with " + planned.substring(0, 12)), e.getMessage());
    assertEquals("", DataFiles.contentSha256(DataSource.GENERATED_TOY, null, null), "generated data has no file");
  }
}
