package org.subspace.orchestrator.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.subspace.orchestrator.bench.PerfBench;
import org.subspace.protocol.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "perf",
    mixinStandardHelpOptions = true,
    description = "The performance suite: matmul peak, likelihood evaluations (toy, boston, a 1M-weight MLP), ESS, "
        + "training, orchestration overhead and scheduling latency, memory over many evaluations. Medians and "
        + "ranges over repeats beside the reference implementation's figures; writes OUT/perf.md and OUT/perf.csv. "
        + "About 3 minutes (--quick: about 1).")
final class BenchPerfCommand implements Callable<Integer> {
  @Option(names = "--quick", description = "Fewer repeats, shorter trainings and chains")
  boolean quick;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Output folder (default ${DEFAULT-VALUE})")
  Path out = Path.of("runs/perf");

  @Spec CommandSpec command;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = command.commandLine().getOut();
    try {
      Files.createDirectories(out.resolve("work"));
    } catch (IOException e) {
      throw new BadInputException(out + ": cannot create the output folder: " + e.getMessage(), e);
    }
    String loadBefore = loadAverage();
    List<PerfBench.Row> rows = new PerfBench(quick, out.resolve("work"), o).run();
    String machine = String.format(Locale.ROOT,
        "Machine: %d cores (%s), intra-op threads %s, JVM %s; load average before %s, after %s.%s",
        Runtime.getRuntime().availableProcessors(), cpuModel(),
        System.getProperty("ai.djl.pytorch.num_threads", "default"), System.getProperty("java.version"), loadBefore,
        loadAverage(), quick ? " Quick mode: fewer repeats, 300-epoch toy training." : "");
    PerfBench.write(out, rows, machine);
    o.println(machine);
    o.println("report: " + out.resolve("perf.md") + ", " + out.resolve("perf.csv"));
    return 0;
  }

  private static String loadAverage() throws IOException {
    Path file = Path.of("/proc/loadavg");
    return Files.exists(file) ? String.join(" ", List.of(Files.readString(file).split(" ")).subList(0, 3)) : "n/a";
  }

  private static String cpuModel() throws IOException {
    Path file = Path.of("/proc/cpuinfo");
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    }
    return "unknown CPU";
  }
}
