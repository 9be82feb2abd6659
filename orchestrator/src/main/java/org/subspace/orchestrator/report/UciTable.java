package org.subspace.orchestrator.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.subspace.orchestrator.plan.Configuration;
import org.subspace.orchestrator.plan.PlannedStage;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.orchestrator.runtime.ResultRow;
import org.subspace.orchestrator.runtime.SweepOutcome;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.vocabulary.Method;
import org.subspace.workers.store.AtomicFiles;

/**
 * The UCI benchmark table: per dataset and method, mean and std (over splits, population std
 * as NumPy's default) of the test log-likelihood and RMSE in original units, beside the
 * paper's numbers and the reference implementation's re-run; then compute times per stage
 * kind and per dataset, beside the reference's.
 */
public final class UciTable {
  private static final Map<Method, String> PAPER_NAMES =
      Map.of(Method.ESS, "PCA+ESS", Method.VI, "PCA+VI", Method.SGD, "SGD", Method.SWAG, "SWAG");

  /** One line of the table: a method (with its subspace, rank and temperature) on a dataset. */
  public record Line(String dataset, String method, String paperMethod, String setting, int splits,
      double llMean, double llStd, double rmseMean, double rmseStd) {}

  private final List<Line> lines;
  private final Map<String, Map<String, String>> paper;
  private final Map<String, Map<String, String>> reference;
  private final String timings;

  private UciTable(List<Line> lines, String timings) {
    this.lines = lines;
    this.timings = timings;
    this.paper = resource("/paper-uci.csv");
    this.reference = resource("/reference-uci.csv");
  }

  public static UciTable of(StagePlan plan, SweepOutcome outcome) {
    Map<List<Object>, List<ResultRow>> groups = new LinkedHashMap<>();
    for (ResultRow row : outcome.rows()) {
      if (row.ok()) {
        Configuration c = row.configuration();
        groups.computeIfAbsent(List.of(c.dataset(), c.method(), c.subspaceLabel(), c.rank(), c.temperature()),
            k -> new ArrayList<>()).add(row);
      }
    }
    List<Line> lines = new ArrayList<>();
    for (List<ResultRow> rows : groups.values()) {
      Configuration c = rows.get(0).configuration();
      double[] ll = rows.stream().mapToDouble(ResultRow::testLl).toArray();
      double[] rmse = rows.stream().mapToDouble(ResultRow::rmse).toArray();
      String setting = Double.isNaN(c.temperature()) ? ""
          : String.format(Locale.ROOT, "%s r%d T=%.4g", c.subspaceLabel(), c.rank(), c.temperature());
      lines.add(new Line(c.dataset(), c.method().label(), PAPER_NAMES.get(c.method()), setting, rows.size(), mean(ll),
          std(ll), mean(rmse), std(rmse)));
    }
    return new UciTable(lines, timings(plan, outcome));
  }

  public List<Line> lines() {
    return lines;
  }

  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("| dataset | method | setting | splits | test LL | paper test LL | reference re-run LL (splits 1-5) ")
        .append("| RMSE | paper RMSE | reference re-run RMSE |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Line l : lines) {
      Map<String, String> p = paper.getOrDefault(l.dataset() + "/" + l.paperMethod(), Map.of());
      Map<String, String> r = reference.getOrDefault(l.dataset() + "/" + l.paperMethod(), Map.of());
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %.3f +- %.3f | %s | %s | %.3f +- %.3f | %s | %s |%n",
          l.dataset(), l.paperMethod(), l.setting(), l.splits(), l.llMean(), l.llStd(),
          plusMinus(p.get("test_ll_mean"), p.get("test_ll_std")), r.getOrDefault("test_ll", ""),
          l.rmseMean(), l.rmseStd(), plusMinus(p.get("rmse_mean"), p.get("rmse_std")), r.getOrDefault("rmse", "")));
    }
    return md.append('\n').append(timings).toString();
  }

  public String csv() {
    StringBuilder csv = new StringBuilder("dataset,method,setting,splits,test_ll_mean,test_ll_std,rmse_mean,rmse_std,"
        + "paper_test_ll_mean,paper_test_ll_std,paper_rmse_mean,paper_rmse_std\n");
    for (Line l : lines) {
      Map<String, String> p = paper.getOrDefault(l.dataset() + "/" + l.paperMethod(), Map.of());
      csv.append(String.join(",", l.dataset(), l.paperMethod(), l.setting(), Integer.toString(l.splits()),
          Double.toString(l.llMean()), Double.toString(l.llStd()), Double.toString(l.rmseMean()),
          Double.toString(l.rmseStd()), p.getOrDefault("test_ll_mean", ""), p.getOrDefault("test_ll_std", ""),
          p.getOrDefault("rmse_mean", ""), p.getOrDefault("rmse_std", ""))).append('\n');
    }
    return csv.toString();
  }

  public void write(Path out) {
    AtomicFiles.write(out.resolve("uci_table.md"), markdown());
    AtomicFiles.write(out.resolve("uci_table.csv"), csv());
  }

  /** Compute seconds per stage kind, and per dataset the medians per split beside the reference's. */
  private static String timings(StagePlan plan, SweepOutcome outcome) {
    StringBuilder md = new StringBuilder("| stage kind | stages | total compute s | median s |\n|---|---|---|---|\n");
    Map<String, List<Double>> trainPerDataset = new LinkedHashMap<>();
    Map<String, List<Double>> essPerDataset = new HashMap<>();
    for (StageKind kind : StageKind.values()) {
      List<Double> seconds = new ArrayList<>();
      for (PlannedStage stage : plan.ofKind(kind)) {
        StageManifest manifest = outcome.manifests().get(stage.key());
        if (manifest == null) {
          continue;
        }
        seconds.add(manifest.computeSeconds());
        if (kind == StageKind.TRAIN) {
          trainPerDataset.computeIfAbsent(stage.dataset(), d -> new ArrayList<>()).add(manifest.computeSeconds());
        } else if (kind == StageKind.SAMPLE && stage.configuration().method() == Method.ESS) {
          essPerDataset.computeIfAbsent(stage.dataset(), d -> new ArrayList<>()).add(manifest.computeSeconds());
        }
      }
      md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.3f |%n", kind.label(), seconds.size(),
          seconds.stream().mapToDouble(Double::doubleValue).sum(), median(seconds)));
    }
    Map<String, Map<String, String>> reference = resource("/reference-uci.csv");
    md.append("\n| dataset | training s (median per split) | reference training s | ESS 30 samples s (median) "
        + "| reference ESS s | speed-up, training + ESS |\n|---|---|---|---|---|---|\n");
    for (Map.Entry<String, List<Double>> e : trainPerDataset.entrySet()) {
      Map<String, String> r = reference.getOrDefault(e.getKey() + "/PCA+ESS", Map.of());
      double train = median(e.getValue());
      double ess = median(essPerDataset.getOrDefault(e.getKey(), List.of()));
      String speedup = r.containsKey("train_seconds") && !Double.isNaN(ess)
          ? String.format(Locale.ROOT, "%.1fx", (Double.parseDouble(r.get("train_seconds"))
              + Double.parseDouble(r.get("ess_seconds"))) / (train + ess))
          : "";
      md.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %.3f | %s | %s |%n", e.getKey(), train,
          r.getOrDefault("train_seconds", ""), ess, r.getOrDefault("ess_seconds", ""), speedup));
    }
    return md.toString();
  }

  private static String plusMinus(String mean, String std) {
    if (mean == null) {
      return "";
    }
    return std == null || std.isEmpty() ? mean : mean + " +- " + std;
  }

  private static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(Double.NaN);
  }

  private static double std(double[] v) {
    double m = mean(v);
    return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).average().orElse(Double.NaN));
  }

  private static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** A CSV resource keyed by "dataset/method". */
  private static Map<String, Map<String, String>> resource(String name) {
    Map<String, Map<String, String>> table = new HashMap<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        Objects.requireNonNull(UciTable.class.getResourceAsStream(name), name), StandardCharsets.UTF_8))) {
      String[] header = in.readLine().split(",");
      String line;
      while ((line = in.readLine()) != null) {
        String[] cells = line.split(",", -1);
        Map<String, String> row = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
          if (!cells[i].isEmpty()) {
            row.put(header[i], cells[i]);
          }
        }
        table.put(cells[0] + "/" + cells[1], row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return table;
  }
}
