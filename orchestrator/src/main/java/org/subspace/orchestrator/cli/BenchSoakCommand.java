package org.subspace.orchestrator.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.subspace.orchestrator.bench.SoakBench;
import org.subspace.protocol.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description = "A long toy sweep (1 training, 1 PCA, RANKS x TEMPERATURES chains and evaluations: 502 stages by "
        + "default; 400 samples a chain) with 3 local workers in a child JVM, sampled twice a second: RSS, open "
        + "files, threads; then "
        + "stages lost or run twice from the event log. Writes OUT/soak.csv and OUT/soak.md. A few minutes.")
final class BenchSoakCommand implements Callable<Integer> {
  @Option(names = "--ranks", paramLabel = "N", description = "Ranks 1..N (default ${DEFAULT-VALUE})")
  int ranks = 10;

  @Option(names = "--temperatures", paramLabel = "N", description = "Temperatures per rank (default ${DEFAULT-VALUE})")
  int temperatures = 25;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Output folder (default ${DEFAULT-VALUE})")
  Path out = Path.of("runs/soak");

  @Spec CommandSpec command;

  @Override
  public Integer call() throws Exception {
    if (ranks < 1 || ranks > 10 || temperatures < 1) {
      throw new BadInputException("--ranks must be in [1, 10] (the toy keeps 10 deviations), --temperatures >= 1");
    }
    if (Files.exists(out.resolve("sweep"))) {
      throw new BadInputException(out.resolve("sweep") + ": exists; a soak starts from an empty folder");
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new BadInputException(out + ": cannot create the output folder: " + e.getMessage(), e);
    }
    SoakBench soak = new SoakBench(out, command.commandLine().getOut());
    soak.report(soak.run(ranks, temperatures));
    return 0;
  }
}
