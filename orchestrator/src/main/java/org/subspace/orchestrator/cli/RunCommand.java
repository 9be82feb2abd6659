package org.subspace.orchestrator.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.report.AtomicFiles;
import org.subspace.orchestrator.report.CsvReports;
import org.subspace.orchestrator.report.PredictivePlot;
import org.subspace.orchestrator.sweep.DataPreparation;
import org.subspace.orchestrator.sweep.GridPrediction;
import org.subspace.orchestrator.sweep.PreparedSplit;
import org.subspace.orchestrator.sweep.ResultRow;
import org.subspace.orchestrator.sweep.SampleSet;
import org.subspace.orchestrator.sweep.SweepRunner;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.RegressionScores;
import org.subspace.protocol.tensor.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run a sweep: train with SWAG, build the subspace, sample with ESS, evaluate by model "
        + "averaging. Writes OUT/results.csv (one row per configuration), OUT/samples/LABEL.npz (each "
        + "configuration's subspace samples and per-sample predictions, readable by numpy.load) and, with "
        + "evaluation.grid.enabled, the predictive curve as OUT/predictive.csv and OUT/predictive.png.")
final class RunCommand implements Callable<Integer> {
  /** Inputs at which the summary reports the predictive std of 1-D runs. */
  private static final double[] SUMMARY_POINTS = {-9, -6, -3, 0, 2.93, 3, 6, 9};

  @Parameters(index = "0", paramLabel = "SWEEP", description = "Sweep file (HOCON), e.g. config/sweeps/toy-regression.conf")
  Path sweepFile;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder (created if missing)")
  Path out;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Override a sweep key, e.g. -D training.epochs=100")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Spec CommandSpec command;

  @Override
  public Integer call() {
    long started = System.nanoTime();
    SweepSpec spec = new SweepConfigLoader().load(sweepFile, overrides);
    List<PreparedSplit> splits = DataPreparation.prepare(spec);
    createFolder(out);
    SweepRunner.Outcome outcome = new SweepRunner(spec).run(splits);
    CsvReports.writeResults(out.resolve("results.csv"), outcome.rows());
    Path samples = createFolder(out.resolve("samples"));
    for (SampleSet set : outcome.samples()) {
      AtomicFiles.write(samples.resolve(set.row().label() + ".npz"), Npy.npzBytes(set.tensors()));
    }
    for (GridPrediction grid : outcome.grids()) {
      String name = outcome.rows().size() == 1 ? "predictive" : "predictive-" + grid.row().label();
      CsvReports.writePredictive(out.resolve(name + ".csv"), grid);
      PredictivePlot.write(out.resolve(name + ".png"), grid, spec.name() + ": " + grid.row().label());
    }
    printSummary(command.commandLine().getOut(), spec, outcome, (System.nanoTime() - started) / 1e9);
    return outcome.failures() == 0 ? 0 : SubspaceCommand.EXIT_FAILED_WORK;
  }

  private static Path createFolder(Path folder) {
    if (Files.exists(folder) && !Files.isDirectory(folder)) {
      throw new BadInputException(folder + ": exists and is not a folder");
    }
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new BadInputException(folder + ": cannot create the output folder: " + e.getMessage(), e);
    }
    if (!Files.isWritable(folder)) {
      throw new BadInputException(folder + ": the output folder is not writable");
    }
    return folder;
  }

  private void printSummary(PrintWriter o, SweepSpec spec, SweepRunner.Outcome outcome, double wallSeconds) {
    List<ResultRow> rows = outcome.rows();
    o.printf(Locale.ROOT, "%s: %d configuration(s), %d ok, %d failed, wall time %.1f s%n", spec.name(), rows.size(),
        rows.size() - outcome.failures(), outcome.failures(), wallSeconds);
    o.printf(Locale.ROOT, "%-6s %-5s %-7s %4s %-4s %7s %9s %9s %6s %8s %8s %7s %8s%n", "split", "seed", "space",
        "rank", "meth", "T", "test_ll", "rmse", "cov95", "train_s", "sample_s", "samples", "lik_evals");
    for (ResultRow r : rows) {
      RegressionScores s = r.scores();
      if (s == null) {
        o.printf(Locale.ROOT, "%-6s %-5d %-7s %4d %-4s %7.3g FAILED: %s%n", r.split(), r.seed(), r.subspace(),
            r.rank(), r.method(), r.temperature(), r.error());
        continue;
      }
      o.printf(Locale.ROOT, "%-6s %-5d %-7s %4d %-4s %7.3g %9.4f %9.4f %6.3f %8.2f %8.2f %7d %8d%n", r.split(),
          r.seed(), r.subspace(), r.rank(), r.method(), r.temperature(), s.testLogLikelihood(), s.rmse(),
          s.coverage95(), r.trainSeconds(), r.sampleSeconds(), r.samples(), r.likelihoodEvaluations());
    }
    if (!rows.isEmpty() && !"test".equals(rows.get(0).evalSet())) {
      o.println("(scores are on the training rows: data.split = " + rows.get(0).split() + ")");
    }
    for (GridPrediction grid : outcome.grids()) {
      StringBuilder line = new StringBuilder("predictive std (epistemic) of " + grid.row().label() + ":");
      for (double x : SUMMARY_POINTS) {
        line.append(String.format(Locale.ROOT, "  x=%s: %.4f", x, grid.stdNear(x)));
      }
      o.println(line);
    }
    o.println("results: " + out.resolve("results.csv"));
  }
}
