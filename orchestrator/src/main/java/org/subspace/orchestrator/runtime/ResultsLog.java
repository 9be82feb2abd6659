package org.subspace.orchestrator.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.subspace.orchestrator.plan.Configuration;
import org.subspace.workers.store.AtomicFiles;

/**
 * {@code results.csv}, appended durably row by row as evaluations finish (each row one write,
 * forced to disk; a torn last row is dropped on reopening; a row already there is not
 * repeated), and rewritten in the sweep's canonical order when the sweep ends.
 */
public final class ResultsLog implements AutoCloseable {
  public static final String HEADER = "dataset,split,seed,subspace,rank,method,temperature,test_ll,rmse,"
      + "coverage95,train_seconds,sample_seconds,status,mixture_ll,std_test_ll,std_rmse,eval_set,eval_points,"
      + "samples,likelihood_evals,gradient_evals,accuracy,nll,ece,brier,error,stage_key";

  private final Path path;
  private final AppendOnlyFile file;
  private final Set<String> written = new HashSet<>();

  public ResultsLog(Path path) {
    this.path = path;
    this.file = new AppendOnlyFile(path);
    if (file.isEmpty()) {
      file.append(HEADER + "\n");
      return;
    }
    try {
      List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
      for (String line : lines.subList(1, lines.size())) {
        written.add(line.substring(line.lastIndexOf(',') + 1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  public synchronized void append(ResultRow row) {
    if (written.add(row.stageKey())) {
      file.append(line(row) + "\n");
    }
  }

  /** Rewrites the file atomically with exactly these rows, in this order; the sweep is over, no row follows. */
  public synchronized void rewrite(List<ResultRow> rows) {
    StringBuilder csv = new StringBuilder(HEADER).append('\n');
    rows.forEach(r -> csv.append(line(r)).append('\n'));
    AtomicFiles.write(path, csv.toString());
  }

  static String line(ResultRow r) {
    Configuration c = r.configuration();
    return String.join(",",
        quote(c.dataset()), quote(c.split()), Long.toString(c.seed()), c.subspaceLabel(), Integer.toString(c.rank()),
        c.method().label(), Double.isNaN(c.temperature()) ? "" : Double.toString(c.temperature()),
        number(r, "test_ll"), number(r, "rmse"), number(r, "coverage95"),
        String.format(Locale.ROOT, "%.3f", r.trainSeconds()),
        String.format(Locale.ROOT, "%.3f", r.sampleSeconds()),
        r.ok() ? "ok" : "failed",
        number(r, "mixture_ll"), number(r, "std_test_ll"), number(r, "std_rmse"),
        c.evalSet().label(), integer(r, "eval_points"), integer(r, "samples"), integer(r, "likelihood_evals"),
        integer(r, "gradient_evals"), number(r, "accuracy"), number(r, "nll"), number(r, "ece"), number(r, "brier"),
        r.ok() ? "" : quote(r.error()), r.stageKey());
  }

  private static String number(ResultRow r, String metric) {
    return r.metrics().containsKey(metric) ? Double.toString(r.metric(metric)) : "";
  }

  private static String integer(ResultRow r, String metric) {
    return r.metrics().containsKey(metric) ? Long.toString(Math.round(r.metric(metric))) : "";
  }

  private static String quote(String value) {
    if (value.contains(",") || value.contains("\"") || value.contains("\n")) {
      return '"' + value.replace("\"", "\"\"").replace("\n", " ") + '"';
    }
    return value;
  }

  @Override
  public void close() {
    file.close();
  }
}
