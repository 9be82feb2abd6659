package org.subspace.orchestrator.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.subspace.orchestrator.bench.PlaneBench;
import org.subspace.protocol.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "plane",
    mixinStandardHelpOptions = true,
    description = "The artifact plane at CIFAR size on CPU: a sweep with a 2.2 GB training state and a 2.2 GB "
        + "subspace across an orchestrator and two worker JVMs, the orchestrator SIGKILLed once and resumed from "
        + "its store. Wall time, bytes moved, peak heap and RSS per JVM in OUT/plane.md. About 15 GB of disk.")
final class BenchPlaneCommand implements Callable<Integer> {
  @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Output folder (default ${DEFAULT-VALUE})")
  Path out = Path.of("runs/plane");

  @Spec CommandSpec command;

  @Override
  public Integer call() throws Exception {
    if (Files.exists(out.resolve("sweep"))) {
      throw new BadInputException(out.resolve("sweep") + ": exists; the plane bench starts from an empty folder");
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new BadInputException(out + ": cannot create the output folder: " + e.getMessage(), e);
    }
    new PlaneBench(out, command.commandLine().getOut()).run();
    return 0;
  }
}
