package org.subspace.orchestrator.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.subspace.orchestrator.runtime.ResultRow;
import org.subspace.orchestrator.runtime.ResultsCsv;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.tensor.Npy;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.tensor.TensorNames;
import org.subspace.workers.eval.ChainDiagnostics;
import org.subspace.workers.eval.ClassificationEvaluation;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.AtomicFiles;

/**
 * {@code DIR/report.html}, self-contained (images inline), from what a sweep leaves in DIR:
 * the results table (mean +- std over splits and seeds), the predictive plots, a temperature x
 * rank heat map of test LL per dataset and method, ESS traces with autocorrelations and
 * effective sample sizes of z, and calibration (coverage of central intervals against their
 * level). The images are also written to {@code DIR/report/}.
 */
public final class HtmlReport {
  private static final int MAX_PANELS = 6;
  private static final int MAX_LAG = 40;

  /** A column of the results table: its heading and the metric it averages. */
  private record Metric(String heading, ToDoubleFunction<ResultRow> value) {}

  private static final Metric TEST_LL = new Metric("test_ll", ResultRow::testLl);
  private static final List<Metric> REGRESSION = List.of(TEST_LL, new Metric("rmse", ResultRow::rmse),
      new Metric("coverage95", ResultRow::coverage95));
  private static final List<Metric> CLASSIFICATION = List.of(TEST_LL, new Metric("accuracy", ResultRow::accuracy),
      new Metric("nll", ResultRow::nll), new Metric("ece", ResultRow::ece), new Metric("brier", ResultRow::brier));

  private final Path dir;
  private final Path images;
  private final StringBuilder html = new StringBuilder();

  private HtmlReport(Path dir) {
    this.dir = dir;
    this.images = dir.resolve("report");
  }

  public static Path write(Path dir) {
    if (!Files.isRegularFile(dir.resolve("results.csv"))) {
      throw new BadInputException(dir + ": no results.csv here (is it a sweep's output folder?)");
    }
    try {
      Files.createDirectories(dir.resolve("report"));
      return new HtmlReport(dir).render();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report in " + dir + ": " + e.getMessage(), e);
    }
  }

  private Path render() throws IOException {
    List<ResultRow> rows = ResultsCsv.read(dir.resolve("results.csv"));
    html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>subspace report</title><style>")
        .append("body{font-family:sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}img{max-width:100%;margin:8px 0}")
        .append("</style></head><body><h1>Sweep report</h1>");
    storeSize();
    resultsTable(rows);
    predictivePlots();
    heatMaps(rows);
    chains();
    calibration();
    html.append("</body></html>");
    Path report = dir.resolve("report.html");
    AtomicFiles.write(report, html.toString());
    return report;
  }

  /** How much the sweep's store holds: what `subspace gc` could shrink. */
  private void storeSize() {
    if (Files.isDirectory(dir.resolve("store").resolve("objects"))) {
      ArtifactStore.Usage usage = ArtifactStore.usage(dir.resolve("store"));
      html.append(String.format(Locale.ROOT, "<p>Store: %d artifacts, %.1f MB.</p>", usage.objects(),
          usage.bytes() / 1e6));
    }
  }

  private void resultsTable(List<ResultRow> rows) {
    Map<List<String>, List<ResultRow>> groups = new LinkedHashMap<>();
    for (ResultRow r : rows) {
      if (r.ok()) {
        groups.computeIfAbsent(List.of(r.dataset(), r.configuration().subspaceLabel(), Integer.toString(r.rank()),
            r.method().label(), Double.isNaN(r.temperature()) ? "" : Double.toString(r.temperature())),
            k -> new ArrayList<>()).add(r);
      }
    }
    boolean classification = rows.stream().anyMatch(ResultRow::classification);
    List<Metric> metrics = classification ? CLASSIFICATION : REGRESSION;
    html.append("<h2>Results</h2><p>Mean +- std over splits and seeds; ")
        .append(classification ? "test LL = -NLL of the model average; ECE with 15 bins.</p>"
            : "test LL and RMSE in original units.</p>")
        .append("<table><tr><th>dataset</th><th>subspace</th><th>rank</th><th>method</th><th>T</th><th>runs</th>");
    for (Metric metric : metrics) {
      html.append("<th>").append(metric.heading()).append("</th>");
    }
    html.append("</tr>");
    for (Map.Entry<List<String>, List<ResultRow>> g : groups.entrySet()) {
      html.append("<tr>");
      for (String cell : g.getKey()) {
        html.append("<td>").append(escape(cell)).append("</td>");
      }
      html.append("<td>").append(g.getValue().size()).append("</td>");
      for (Metric metric : metrics) {
        double[] v = g.getValue().stream().mapToDouble(metric.value()).toArray();
        html.append(String.format(Locale.ROOT, "<td>%.4f +- %.4f</td>", mean(v), std(v)));
      }
      html.append("</tr>");
    }
    html.append("</table>");
    long failed = rows.stream().filter(r -> !r.ok()).count();
    if (failed > 0) {
      html.append("<p>").append(failed).append(" configuration(s) failed; see results.csv.</p>");
    }
  }

  private void predictivePlots() throws IOException {
    List<Path> plots;
    try (Stream<Path> files = Files.list(dir)) {
      plots = files.filter(p -> p.getFileName().toString().matches("predictive.*\\.png")).sorted().toList();
    }
    if (plots.isEmpty()) {
      return;
    }
    html.append("<h2>Predictive distributions</h2><p>Data, predictive mean, +-3 std of the sampled functions, and "
        + "some sampled functions; one panel per configuration.</p>");
    for (Path plot : plots) {
      image(plot.getFileName().toString(), Files.readAllBytes(plot));
    }
  }

  private void heatMaps(List<ResultRow> rows) throws IOException {
    Map<String, List<ResultRow>> byMethod = new LinkedHashMap<>();
    for (ResultRow r : rows) {
      if (r.ok() && !Double.isNaN(r.temperature())) {
        byMethod.computeIfAbsent(r.dataset() + " " + r.configuration().subspaceLabel() + " " + r.method().label(),
            k -> new ArrayList<>()).add(r);
      }
    }
    boolean header = false;
    for (Map.Entry<String, List<ResultRow>> e : byMethod.entrySet()) {
      TreeSet<Double> temperatures = new TreeSet<>();
      TreeSet<Integer> ranks = new TreeSet<>();
      e.getValue().forEach(r -> {
        temperatures.add(r.temperature());
        ranks.add(r.rank());
      });
      if (temperatures.size() < 2 && ranks.size() < 2) {
        continue;
      }
      List<Double> ts = new ArrayList<>(temperatures);
      List<Integer> rs = new ArrayList<>(ranks);
      double[][] values = new double[ts.size()][rs.size()];
      for (int i = 0; i < ts.size(); i++) {
        for (int j = 0; j < rs.size(); j++) {
          double t = ts.get(i);
          int rank = rs.get(j);
          values[i][j] = mean(e.getValue().stream().filter(r -> r.temperature() == t && r.rank() == rank)
              .mapToDouble(ResultRow::testLl).toArray());
        }
      }
      if (!header) {
        html.append("<h2>Temperature x rank</h2><p>Mean test log-likelihood (higher is better).</p>");
        header = true;
      }
      image("heatmap-" + e.getKey().replace(' ', '-') + ".png", Charts.heatMap("test LL: " + e.getKey(),
          "temperature", "rank", ts.stream().map(t -> "T=" + t).toList(), rs.stream().map(r -> "r" + r).toList(),
          values));
    }
  }

  private void chains() throws IOException {
    List<Path> files = npzFiles("chains", MAX_PANELS);
    if (files.isEmpty()) {
      return;
    }
    html.append("<h2>ESS chains</h2><p>Traces and autocorrelations of the first coordinates of z; effective "
        + "sample size by the initial positive sequence of autocorrelations.</p>");
    for (Path file : files) {
      double[][] z = readNpz(file).get(TensorNames.Z).doubleRows();
      if (z.length < 4) {
        continue;
      }
      String label = file.getFileName().toString().replace(".npz", "");
      List<Charts.Series> traces = new ArrayList<>();
      List<Charts.Series> correlations = new ArrayList<>();
      StringBuilder sizes = new StringBuilder();
      for (int d = 0; d < Math.min(3, z[0].length); d++) {
        double[] x = new double[z.length];
        double[] series = new double[z.length];
        for (int i = 0; i < z.length; i++) {
          x[i] = i;
          series[i] = z[i][d];
        }
        traces.add(new Charts.Series("z" + d, x, series));
        double[] rho = ChainDiagnostics.autocorrelation(series, Math.min(MAX_LAG, z.length - 1));
        double[] lags = new double[rho.length];
        for (int k = 0; k < lags.length; k++) {
          lags[k] = k;
        }
        correlations.add(new Charts.Series("z" + d, lags, rho));
        sizes.append(String.format(Locale.ROOT, " z%d: %.0f of %d;", d, ChainDiagnostics.effectiveSampleSize(series),
            z.length));
      }
      html.append("<h3>").append(escape(label)).append("</h3><p>Effective sample size:").append(sizes)
          .append("</p>");
      image("trace-" + label + ".png", Charts.lines("trace: " + label, "iteration", "z", traces, false));
      image("acf-" + label + ".png", Charts.lines("autocorrelation", "lag", "rho", correlations, false));
    }
  }

  private void calibration() throws IOException {
    List<Path> files = npzFiles("samples", 8);
    if (files.isEmpty()) {
      return;
    }
    List<Charts.Series> series = new ArrayList<>();
    boolean classification = false;
    for (Path file : files) {
      Map<String, Tensor> t = readNpz(file);
      // The legend keeps what differs between configurations: subspace, rank, method, temperature.
      String label = file.getFileName().toString().replace(".npz", "").replaceFirst("^.*-seed\\d+-", "");
      classification = t.containsKey(TensorNames.PROBABILITIES);
      series.add(classification ? reliability(label, t) : coverage(label, t));
    }
    html.append("<h2>Calibration</h2><p>").append(classification
        ? "Reliability: accuracy against mean confidence of the model average, in 15 confidence bins"
        : "Fraction of test targets inside the central interval of each level (moment-matched predictive)")
        .append("; the dashed diagonal is perfect calibration.</p>");
    image("calibration.png", classification
        ? Charts.lines("reliability of the model average", "confidence", "accuracy", series, true)
        : Charts.lines("coverage of central intervals", "nominal level", "observed coverage", series, true));
  }

  private static Charts.Series coverage(String label, Map<String, Tensor> t) {
    double[] levels = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
    float[][] means = t.get(TensorNames.PRED_MEAN).floatRows();
    float[][] variances = t.get(TensorNames.PRED_VAR).floatRows();
    float[] y = t.get(TensorNames.Y).floats();
    double[] coverage = new double[levels.length];
    for (int i = 0; i < y.length; i++) {
      double m = 0;
      double second = 0;
      for (int s = 0; s < means.length; s++) {
        m += means[s][i] / (double) means.length;
        second += ((double) variances[s][i] + (double) means[s][i] * means[s][i]) / means.length;
      }
      double sd = Math.sqrt(Math.max(second - m * m, 1e-300));
      for (int l = 0; l < levels.length; l++) {
        if (Math.abs(y[i] - m) <= normalQuantile((1 + levels[l]) / 2) * sd) {
          coverage[l] += 1.0 / y.length;
        }
      }
    }
    return new Charts.Series(label, levels, coverage);
  }

  /** Mean confidence and accuracy of the non-empty confidence bins of a classifier's model average. */
  private static Charts.Series reliability(String label, Map<String, Tensor> t) {
    int[] labels = Arrays.stream(t.get(TensorNames.LABELS).longs()).mapToInt(Math::toIntExact).toArray();
    ClassificationEvaluation.Calibration bins =
        ClassificationEvaluation.calibration(t.get(TensorNames.PROBABILITIES).doubleRows(), labels);
    List<double[]> points = new ArrayList<>();
    for (int b = 0; b < bins.count().length; b++) {
      if (bins.count()[b] > 0) {
        points.add(new double[] {bins.confidence()[b] / bins.count()[b], bins.correct()[b] / bins.count()[b]});
      }
    }
    return new Charts.Series(label, points.stream().mapToDouble(p -> p[0]).toArray(),
        points.stream().mapToDouble(p -> p[1]).toArray());
  }

  private void image(String name, byte[] png) throws IOException {
    String file = name.replaceAll("[^A-Za-z0-9._-]", "_");
    AtomicFiles.write(images.resolve(file), png);
    html.append("<div><img alt=\"").append(escape(name)).append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png)).append("\"></div>");
  }

  /** The first {@code limit} .npz files of a subfolder of the sweep's output, by name; none if it is absent. */
  private List<Path> npzFiles(String subfolder, int limit) throws IOException {
    Path folder = dir.resolve(subfolder);
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(folder)) {
      return list.filter(p -> p.toString().endsWith(".npz")).sorted().limit(limit).toList();
    }
  }

  private static Map<String, Tensor> readNpz(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Npy.readNpz(in);
    }
  }

  /** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
  static double normalQuantile(double p) {
    double[] a = {-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690,
        -30.66479806614716, 2.506628277459239};
    double[] b = {-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
        -13.28068155288572};
    double[] c = {-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
        4.374664141464968, 2.938163982698783};
    double[] d = {0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416};
    if (p < 0.02425) {
      double q = Math.sqrt(-2 * Math.log(p));
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - 0.02425) {
      return -normalQuantile(1 - p);
    }
    double q = p - 0.5;
    double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return v.length == 0 ? Double.NaN : s / v.length;
  }

  private static double std(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return v.length == 0 ? Double.NaN : Math.sqrt(s / v.length);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
