package org.subspace.orchestrator.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.subspace.orchestrator.report.HtmlReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = "Write DIR/report.html (self-contained) and its PNGs in DIR/report/ from a sweep's output folder: "
        + "the results table, predictive plots, temperature x rank heat maps, ESS traces and autocorrelations, "
        + "calibration. Sweeps write it when they end; this makes it again on demand.")
final class ReportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "A sweep's output folder")
  Path dir;

  @Spec CommandSpec command;

  @Override
  public Integer call() {
    Path report = HtmlReport.write(dir);
    command.commandLine().getOut().println("report: " + report);
    command.commandLine().getOut().flush();
    return 0;
  }
}
