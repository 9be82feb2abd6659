package org.subspace.orchestrator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks that reproduce the paper's experiments and measure speed.",
    subcommands = {BenchUciCommand.class, BenchPerfCommand.class, BenchSoakCommand.class, BenchScaleCommand.class,
        BenchTransferCommand.class, BenchPlaneCommand.class,
        CommandLine.HelpCommand.class})
final class BenchCommand implements Runnable {
  @Spec CommandSpec command;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(command.commandLine(), "name a benchmark, e.g. 'bench uci'");
  }
}
