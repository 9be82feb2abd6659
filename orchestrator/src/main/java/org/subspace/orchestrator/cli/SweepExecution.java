package org.subspace.orchestrator.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.subspace.orchestrator.config.ResolvedConfig;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.monitoring.MetricsServer;
import org.subspace.orchestrator.plan.Configuration;
import org.subspace.orchestrator.plan.PlannedStage;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.orchestrator.report.GridPrediction;
import org.subspace.orchestrator.report.HtmlReport;
import org.subspace.orchestrator.report.SweepReports;
import org.subspace.orchestrator.runtime.LocalGuardian;
import org.subspace.orchestrator.runtime.LocalSweep;
import org.subspace.orchestrator.runtime.OutputLock;
import org.subspace.orchestrator.runtime.ResultRow;
import org.subspace.orchestrator.runtime.RunRecord;
import org.subspace.orchestrator.runtime.SweepOutcome;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.vocabulary.EvalSet;
import org.subspace.workers.store.ArtifactStore;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code run}, {@code orchestrator} and {@code bench} share: plan printing, running a sweep,
 * its record, reports and summary.
 */
final class SweepExecution {
  /** Inputs at which the summary reports the predictive std of 1-D runs. */
  private static final double[] SUMMARY_POINTS = {-9, -6, -3, 0, 2.93, 3, 6, 9};

  private SweepExecution() {}

  /** The spec with {@code --workers} applied, when given. */
  static SweepSpec withWorkers(SweepSpec spec, Integer workers) {
    if (workers == null) {
      return spec;
    }
    if (workers < 1) {
      throw new BadInputException("--workers must be at least 1, got " + workers);
    }
    return new SweepSpec(spec.name(), spec.experiments(), spec.runtime().withWorkers(workers));
  }

  static void printPlan(PrintWriter o, SweepSpec spec, StagePlan plan, Path out) {
    ArtifactStore store = Files.isDirectory(out.resolve("store")) ? LocalSweep.store(out) : null;
    o.printf(Locale.ROOT, "%s: %d configuration(s), %d stages%n", spec.name(), spec.configurations(),
        plan.stages().size());
    o.printf(Locale.ROOT, "%-9s %6s %6s %6s%n", "kind", "stages", "done", "to run");
    for (StageKind kind : StageKind.values()) {
      List<PlannedStage> stages = plan.ofKind(kind);
      long done = store == null ? 0 : stages.stream().filter(s -> store.manifest(s.key()).isPresent()).count();
      o.printf(Locale.ROOT, "%-9s %6d %6d %6d%n", kind.label(), stages.size(), done, stages.size() - done);
    }
  }

  /**
   * Runs the sweep in this JVM into {@code out}, writes its record, its reports and prints the
   * summary on {@code command}'s output.
   */
  static SweepOutcome run(CommandSpec command, SweepSpec spec, ResolvedConfig config, StagePlan plan, Path out,
      boolean quiet) throws InterruptedException {
    return run(command, spec, config, plan, out, LocalGuardian::create, ConfigFactory.load(), quiet);
  }

  /**
   * Runs the sweep with the given root behavior and actor-system configuration (cluster mode);
   * a progress bar is drawn unless {@code quiet} or the output is not a terminal.
   */
  static SweepOutcome run(CommandSpec command, SweepSpec spec, ResolvedConfig config, StagePlan plan, Path out,
      LocalSweep.Guardian guardian, Config actorSystem, boolean quiet) throws InterruptedException {
    long started = System.nanoTime();
    SweepSpec.MetricsSpec metrics = spec.runtime().metrics();
    if (metrics.enabled()) {
      MetricsServer.checkAvailable(metrics.host(), metrics.port());
    }
    createFolder(out);
    try (OutputLock lock = OutputLock.acquire(out)) {
      lock.tookOverFrom().ifPresent(holder -> command.commandLine().getErr().println(
          "note: " + out + " was left locked by a sweep that ended without releasing it (" + holder + "); resuming"));
      RunRecord record = RunRecord.start(out, config, spec, command.commandLine().getParseResult().originalArgs());
      for (String change : record.configChanges()) {
        command.commandLine().getErr().println(
            "note: " + out.resolve(RunRecord.CONFIG) + " changed since the last run: " + change);
      }
      SweepOutcome outcome;
      List<GridPrediction> grids;
      try {
        outcome = LocalSweep.run(spec, plan, out, guardian, actorSystem, !quiet && System.console() != null);
        grids = SweepReports.write(out, spec.name(), plan, outcome, LocalSweep.store(out));
        HtmlReport.write(out);
      } catch (RuntimeException | InterruptedException e) {
        record.failed(e);
        throw e;
      }
      record.finished(outcome, exitCode(outcome));
      printSummary(command.commandLine().getOut(), spec, outcome, grids, out, (System.nanoTime() - started) / 1e9);
      return outcome;
    }
  }

  /** The exit code of a sweep that ran to its end: 0, or 1 when some configuration failed. */
  static int exitCode(SweepOutcome outcome) {
    return outcome.failures() == 0 ? 0 : SubspaceCommand.EXIT_FAILED_WORK;
  }

  private static void createFolder(Path folder) {
    if (Files.exists(folder) && !Files.isDirectory(folder)) {
      throw new BadInputException(folder + ": --out exists and is not a folder");
    }
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new BadInputException(folder + ": cannot create the output folder: " + e.getMessage(), e);
    }
    if (!Files.isWritable(folder)) {
      throw new BadInputException(folder + ": the output folder is not writable");
    }
  }

  private static void printSummary(PrintWriter o, SweepSpec spec, SweepOutcome outcome, List<GridPrediction> grids,
      Path out, double wallSeconds) {
    List<ResultRow> rows = outcome.rows();
    o.printf(Locale.ROOT, "%s: %d configuration(s), %d ok, %d failed, wall time %.1f s%n", spec.name(), rows.size(),
        rows.size() - outcome.failures(), outcome.failures(), wallSeconds);
    // Classifiers show accuracy and ECE where regressions show RMSE and 95% coverage.
    boolean classification = rows.stream().anyMatch(ResultRow::classification);
    ToDoubleFunction<ResultRow> second = classification ? ResultRow::accuracy : ResultRow::rmse;
    ToDoubleFunction<ResultRow> third = classification ? ResultRow::ece : ResultRow::coverage95;
    o.printf(Locale.ROOT, "%-10s %-8s %-5s %-6s %4s %-4s %7s %9s %9s %6s %8s %8s %7s %9s%n", "dataset", "split",
        "seed", "space", "rank", "meth", "T", "test_ll", classification ? "accuracy" : "rmse",
        classification ? "ece" : "cov95", "train_s", "sample_s", "samples", "lik_evals");
    for (ResultRow r : rows) {
      Configuration c = r.configuration();
      String prefix = String.format(Locale.ROOT, "%-10s %-8s %-5d %-6s %4d %-4s %7s", c.dataset(), c.split(),
          c.seed(), c.subspaceLabel(), c.rank(), c.method().label(),
          Double.isNaN(c.temperature()) ? "-" : String.format(Locale.ROOT, "%.3g", c.temperature()));
      if (!r.ok()) {
        o.println(prefix + " FAILED: " + r.error());
        continue;
      }
      o.printf(Locale.ROOT, "%s %9.4f %9.4f %6.3f %8.2f %8.2f %7d %9d%n", prefix, r.testLl(),
          second.applyAsDouble(r), third.applyAsDouble(r), r.trainSeconds(), r.sampleSeconds(),
          Objects.requireNonNullElse(r.samples(), 0L), Objects.requireNonNullElse(r.likelihoodEvals(), 0L));
    }
    if (rows.stream().anyMatch(r -> r.configuration().evalSet() == EvalSet.TRAIN)) {
      o.println("(rows with split 'all' are scored on their training rows)");
    }
    for (GridPrediction grid : grids) {
      StringBuilder line = new StringBuilder("predictive std (epistemic) of " + grid.label() + ":");
      for (double x : SUMMARY_POINTS) {
        line.append(String.format(Locale.ROOT, "  x=%s: %.4f", x, grid.stdNear(x)));
      }
      o.println(line);
    }
    o.println("results: " + out.resolve("results.csv") + "  events: " + out.resolve("events.jsonl") + "  report: "
        + out.resolve("report.html"));
  }
}
