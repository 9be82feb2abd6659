package org.subspace.workers.data;

import java.util.List;
import org.subspace.protocol.vocabulary.Separator;

/**
 * How to read a numeric table: the column separator, how many header lines to skip, which
 * column is the target (0-based, negative counts from the end) and which columns to drop.
 */
public record TableFormat(Separator separator, int headerLines, int targetColumn, List<Integer> dropColumns) {


  public TableFormat {
    dropColumns = List.copyOf(dropColumns);
  }

  /** Whitespace-separated, no header, target in the last column: the UCI layout. */
  public static TableFormat uci() {
    return new TableFormat(Separator.WHITESPACE, 0, -1, List.of());
  }
}
