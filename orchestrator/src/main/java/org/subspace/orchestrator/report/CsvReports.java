package org.subspace.orchestrator.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.subspace.orchestrator.sweep.GridPrediction;
import org.subspace.orchestrator.sweep.ResultRow;
import org.subspace.protocol.RegressionScores;

/** The sweep's tables: {@code results.csv} (one row per configuration) and predictive curves. */
public final class CsvReports {
  public static final String RESULTS_HEADER = "dataset,split,seed,subspace,rank,method,temperature,test_ll,rmse,"
      + "coverage95,train_seconds,sample_seconds,status,mixture_ll,std_test_ll,std_rmse,eval_set,eval_points,"
      + "samples,likelihood_evals,error";

  private CsvReports() {}

  public static void writeResults(Path file, List<ResultRow> rows) {
    StringBuilder csv = new StringBuilder(RESULTS_HEADER).append('\n');
    for (ResultRow r : rows) {
      RegressionScores s = r.scores();
      csv.append(String.join(",",
          quote(r.dataset()), quote(r.split()), Long.toString(r.seed()), r.subspace(), Integer.toString(r.rank()),
          r.method(), Double.toString(r.temperature()),
          s == null ? "" : Double.toString(s.testLogLikelihood()),
          s == null ? "" : Double.toString(s.rmse()),
          s == null ? "" : Double.toString(s.coverage95()),
          String.format(Locale.ROOT, "%.3f", r.trainSeconds()),
          String.format(Locale.ROOT, "%.3f", r.sampleSeconds()),
          r.ok() ? "ok" : "failed",
          s == null ? "" : Double.toString(s.mixtureLogLikelihood()),
          s == null ? "" : Double.toString(s.standardizedLogLikelihood()),
          s == null ? "" : Double.toString(s.standardizedRmse()),
          r.evalSet(),
          s == null ? "" : Integer.toString(s.points()),
          Integer.toString(r.samples()),
          Long.toString(r.likelihoodEvaluations()),
          r.ok() ? "" : quote(r.error()))).append('\n');
    }
    AtomicFiles.write(file, csv.toString());
  }

  public static void writePredictive(Path file, GridPrediction grid) {
    StringBuilder csv = new StringBuilder("x,mean,std,std_with_noise\n");
    for (int i = 0; i < grid.x().length; i++) {
      csv.append(String.format(Locale.ROOT, "%.6f,%.8f,%.8f,%.8f%n",
          grid.x()[i], grid.mean()[i], grid.std()[i], grid.stdWithNoise()[i]));
    }
    AtomicFiles.write(file, csv.toString());
  }

  private static String quote(String value) {
    if (value.contains(",") || value.contains("\"") || value.contains("\n")) {
      return '"' + value.replace("\"", "\"\"") + '"';
    }
    return value;
  }
}
