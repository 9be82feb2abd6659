package org.subspace.orchestrator.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.StagePlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run a sweep in this JVM with N local workers: train with SWAG, build the subspaces, sample with "
        + "ESS, evaluate by model averaging. Stages already done in OUT's store are not run again, and an "
        + "interrupted sweep resumes from its checkpoints. Writes OUT/results.csv (one row per configuration), "
        + "OUT/events.jsonl (what ran, where, how often), OUT/samples/LABEL.npz (each configuration's samples "
        + "and per-sample predictions, readable by numpy.load), with evaluation.grid.enabled the predictive "
        + "curve as OUT/predictive.csv and OUT/predictive.png, and the run's record: OUT/sweep.conf (the "
        + "resolved configuration, itself a sweep file) and OUT/run.json (versions, host, workers, times, outcome).")
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SWEEP", description = "Sweep file (HOCON), e.g. config/sweeps/toy-regression.conf")
  Path sweepFile;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
      description = "Output folder (created if missing); its store/ makes reruns and resumes incremental")
  Path out;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Override a sweep key, e.g. -D training.epochs=100")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = {"-w", "--workers"}, paramLabel = "N",
      description = "Local worker nodes (default: orchestrator.workers, 1)")
  Integer workers;

  @Option(names = "--dry-run", description = "Print the stage graph (stages per kind, how many are done) and exit")
  boolean dryRun;

  @Option(names = {"-q", "--quiet"}, description = "No progress bar (there is none when output is not a terminal)")
  boolean quiet;

  @Spec CommandSpec command;

  @Override
  public Integer call() throws InterruptedException {
    SweepConfigLoader.Loaded loaded = new SweepConfigLoader().read(sweepFile, overrides);
    SweepSpec spec = SweepExecution.withWorkers(loaded.spec(), workers);
    StagePlan plan = StagePlan.of(spec);
    if (dryRun) {
      SweepExecution.printPlan(command.commandLine().getOut(), spec, plan, out);
      return 0;
    }
    return SweepExecution.exitCode(SweepExecution.run(command, spec, loaded.config(), plan, out, quiet));
  }
}
