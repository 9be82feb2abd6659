package org.subspace.workers.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.vocabulary.Separator;

class TableLoaderTest {
  private static final Path UCI = Path.of("../shared/data/uci");

  @TempDir Path dir;

  @Test
  void readsEveryBostonRowWithThirteenFeatures() {
    Table boston = TableLoader.load(UCI.resolve("boston/data.txt"), TableFormat.uci());
    assertEquals(506, boston.rows());
    assertEquals(13, boston.columns());
    // First row of the Boston housing data: CRIM 0.00632 ... MEDV 24.0.
    assertEquals(0.00632, boston.features()[0][0], 1e-12);
    assertEquals(24.0, boston.target()[0], 1e-12);
  }

  @Test
  void skipsTheTrailingBlankLineOfYacht() {
    Table yacht = TableLoader.load(UCI.resolve("yacht/data.txt"), TableFormat.uci());
    assertEquals(308, yacht.rows());
    assertEquals(6, yacht.columns());
  }

  @Test
  void readsTheToyCsvWithHeaderAndDropsColumns() throws IOException {
    Table toy = TableLoader.load(Path.of("../shared/data/toy/toy_regression.csv"),
        new TableFormat(Separator.COMMA, 1, 1, List.of()));
    assertEquals(400, toy.rows());
    assertEquals(1, toy.columns());

    Path file = write("a.txt", "1 2 3 4\n5 6 7 8\n");
    Table t = TableLoader.load(file, new TableFormat(Separator.WHITESPACE, 0, 2, List.of(0)));
    assertArrayEquals(new double[] {2, 4}, t.features()[0]);
    assertArrayEquals(new double[] {3, 7}, t.target());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "ragged row      | 1 2 3\\n4 5\\n         | :2: expected 3 columns like the first row, found 2",
    "non-numeric     | 1 2 3\\n4 x 6\\n       | :2: column 1: 'x' is not a number",
    "NaN             | 1 2 3\\n4 NaN 6\\n     | :2: column 1: NaN is not a finite number",
    "infinity        | 1 2 Infinity\\n        | :1: column 2: Infinity is not a finite number",
    "empty           | \\n\\n                 | : no data rows",
  })
  void rejectsMalformedFilesNamingFileAndLine(String name, String content, String expected) throws IOException {
    Path file = write("bad.txt", content.strip().replace("\\n", "\n"));
    BadInputException e = assertThrows(BadInputException.class, () -> TableLoader.load(file, TableFormat.uci()));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected.strip()), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line");
  }

  @Test
  void rejectsMissingFilesAndColumnsOutOfRange() throws IOException {
    Path missing = dir.resolve("missing.txt");
    assertEquals(missing + ": data file not found",
        assertThrows(BadInputException.class, () -> TableLoader.load(missing, TableFormat.uci())).getMessage());
    Path file = write("t.txt", "1 2 3\n");
    assertTrue(assertThrows(BadInputException.class, () -> TableLoader.load(file,
        new TableFormat(Separator.WHITESPACE, 0, 3, List.of()))).getMessage()
        .contains("target column 3 is out of range for 3 columns"));
    assertTrue(assertThrows(BadInputException.class, () -> TableLoader.load(file,
        new TableFormat(Separator.WHITESPACE, 0, -1, List.of(7)))).getMessage()
        .contains("dropped column 7 is out of range"));
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }
}
