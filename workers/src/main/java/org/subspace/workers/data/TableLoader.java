package org.subspace.workers.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.subspace.protocol.BadInputException;

/**
 * Reads whitespace- or comma-separated numeric tables (the UCI files, CSV) strictly: every
 * non-blank row must have the same number of finite numbers. Errors name file and line.
 */
public final class TableLoader {
  private TableLoader() {}

  public static Table load(Path file, TableFormat format) {
    List<double[]> rows = new ArrayList<>();
    int width = -1;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNumber = 0;
      while ((line = reader.readLine()) != null) {
        lineNumber++;
        String trimmed = line.strip();
        if (lineNumber <= format.headerLines() || trimmed.isEmpty()) {
          continue;
        }
        String[] cells = trimmed.split(format.separator().regex(), -1);
        if (width < 0) {
          width = cells.length;
        } else if (cells.length != width) {
          throw new BadInputException(String.format(
              "%s:%d: expected %d columns like the first row, found %d", file, lineNumber, width, cells.length));
        }
        rows.add(parseRow(file, lineNumber, cells));
      }
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": data file not found");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read data file: " + e.getMessage(), e);
    }
    if (rows.isEmpty()) {
      throw new BadInputException(file + ": no data rows");
    }
    return split(file, rows, width, format);
  }

  private static double[] parseRow(Path file, int lineNumber, String[] cells) {
    double[] row = new double[cells.length];
    for (int c = 0; c < cells.length; c++) {
      String cell = cells[c].strip();
      try {
        row[c] = Double.parseDouble(cell);
      } catch (NumberFormatException e) {
        throw new BadInputException(String.format(
            "%s:%d: column %d: '%s' is not a number", file, lineNumber, c, cell));
      }
      if (!Double.isFinite(row[c])) {
        throw new BadInputException(String.format(
            "%s:%d: column %d: %s is not a finite number", file, lineNumber, c, cell));
      }
    }
    return row;
  }

  private static Table split(Path file, List<double[]> rows, int width, TableFormat format) {
    int target = format.targetColumn() < 0 ? width + format.targetColumn() : format.targetColumn();
    if (target < 0 || target >= width) {
      throw new BadInputException(String.format(
          "%s: target column %d is out of range for %d columns", file, format.targetColumn(), width));
    }
    Set<Integer> dropped = new HashSet<>();
    for (int column : format.dropColumns()) {
      if (column < 0 || column >= width) {
        throw new BadInputException(String.format(
            "%s: dropped column %d is out of range for %d columns", file, column, width));
      }
      dropped.add(column);
    }
    dropped.add(target);
    int[] kept = new int[width - dropped.size()];
    for (int c = 0, k = 0; c < width; c++) {
      if (!dropped.contains(c)) {
        kept[k++] = c;
      }
    }
    if (kept.length == 0) {
      throw new BadInputException(file + ": no feature columns left after dropping columns");
    }
    double[][] features = new double[rows.size()][kept.length];
    double[] y = new double[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      double[] row = rows.get(r);
      for (int k = 0; k < kept.length; k++) {
        features[r][k] = row[kept[k]];
      }
      y[r] = row[target];
    }
    return new Table(features, y, file.toString());
  }
}
