package org.subspace.orchestrator.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
      + "samples,likelihood_evals,error,stage_key";

  private final Path file;
  private final FileChannel channel;
  private final Set<String> written = new HashSet<>();

  public ResultsLog(Path file) {
    this.file = file;
    try {
      DurableLines.dropTornTail(file);
      boolean fresh = !Files.exists(file) || Files.size(file) == 0;
      if (!fresh) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
          written.add(line.substring(line.lastIndexOf(',') + 1));
        }
      }
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
      if (fresh) {
        write(HEADER + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  public synchronized void append(ResultRow row) {
    if (written.add(row.stageKey())) {
      write(line(row) + "\n");
    }
  }

  /** Rewrites the file atomically with exactly these rows, in this order. */
  public synchronized void rewrite(List<ResultRow> rows) {
    StringBuilder csv = new StringBuilder(HEADER).append('\n');
    rows.forEach(r -> csv.append(line(r)).append('\n'));
    AtomicFiles.write(file, csv.toString());
  }

  private void write(String text) {
    try {
      ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
    }
  }

  static String line(ResultRow r) {
    Configuration c = r.configuration();
    return String.join(",",
        quote(c.dataset()), quote(c.split()), Long.toString(c.seed()), c.subspace(), Integer.toString(c.rank()),
        c.method(), Double.toString(c.temperature()),
        number(r, "test_ll"), number(r, "rmse"), number(r, "coverage95"),
        String.format(Locale.ROOT, "%.3f", r.trainSeconds()),
        String.format(Locale.ROOT, "%.3f", r.sampleSeconds()),
        r.ok() ? "ok" : "failed",
        number(r, "mixture_ll"), number(r, "std_test_ll"), number(r, "std_rmse"),
        c.evalSet(), integer(r, "eval_points"), integer(r, "samples"), integer(r, "likelihood_evals"),
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
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
