package org.subspace.orchestrator.runtime;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.subspace.workers.store.AtomicFiles;

/**
 * {@code results.csv}, appended durably row by row as evaluations finish (each row one write,
 * forced to disk; a torn last row is dropped on reopening; a row already there is not
 * repeated), and rewritten in the sweep's canonical order when the sweep ends.
 */
public final class ResultsLog implements AutoCloseable {
  private final Path path;
  private final AppendOnlyFile file;
  /** The stage keys of the rows in the file. */
  private final Set<String> written = new HashSet<>();

  public ResultsLog(Path path) {
    this.path = path;
    this.file = new AppendOnlyFile(path);
    if (file.isEmpty()) {
      file.append(ResultsCsv.header());
    } else {
      ResultsCsv.read(path).forEach(row -> written.add(row.stageKey()));
    }
  }

  public synchronized void append(ResultRow row) {
    if (written.add(row.stageKey())) {
      file.append(ResultsCsv.line(row));
    }
  }

  /** Rewrites the file atomically with exactly these rows, in this order; the sweep is over, no row follows. */
  public synchronized void rewrite(List<ResultRow> rows) {
    AtomicFiles.write(path, ResultsCsv.write(rows));
  }

  @Override
  public void close() {
    file.close();
  }
}
