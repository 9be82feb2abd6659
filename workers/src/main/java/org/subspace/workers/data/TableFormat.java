package org.subspace.workers.data;

import java.util.List;

/**
 * How to read a numeric table: the column separator, how many header lines to skip, which
 * column is the target (0-based, negative counts from the end) and which columns to drop.
 */
public record TableFormat(Separator separator, int headerLines, int targetColumn, List<Integer> dropColumns) {

  public enum Separator {
    /** Any run of spaces or tabs, as in the UCI files. */
    WHITESPACE("[ \\t]+"),
    COMMA(",");

    final String regex;

    Separator(String regex) {
      this.regex = regex;
    }
  }

  public TableFormat {
    dropColumns = List.copyOf(dropColumns);
  }

  /** Whitespace-separated, no header, target in the last column: the UCI layout. */
  public static TableFormat uci() {
    return new TableFormat(Separator.WHITESPACE, 0, -1, List.of());
  }
}
