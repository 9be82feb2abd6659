package org.subspace.orchestrator.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.subspace.orchestrator.bench.ScaleBench;
import org.subspace.protocol.BadInputException;
import org.subspace.workers.store.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "scale",
    mixinStandardHelpOptions = true,
    description = "What orchestration costs as a sweep grows: toy sweeps of about 1,000, 5,000 and 20,000 stages "
        + "through the real supervisor, scheduler and local workers, whose stages do no work. Prints planning time, "
        + "supervisor and process CPU per stage and scheduling latency (median, p90) per size, and writes "
        + "OUT/scale.md. A few minutes (--quick: 200 and 1,000 stages, under a minute).")
final class BenchScaleCommand implements Callable<Integer> {
  @Option(names = "--quick", description = "Sweeps of 200 and 1,000 stages")
  boolean quick;

  @Option(names = "--sizes", split = ",", paramLabel = "N",
      description = "Stages per sweep, about (default 1000,5000,20000)")
  List<Integer> sizes;

  @Option(names = {"-w", "--workers"}, paramLabel = "N", description = "Local worker nodes (default ${DEFAULT-VALUE})")
  int workers = 2;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Output folder (default ${DEFAULT-VALUE})")
  Path out = Path.of("runs/scale");

  @Spec CommandSpec command;

  @Override
  public Integer call() throws Exception {
    List<Integer> chosen = sizes != null ? sizes : quick ? List.of(200, 1000) : List.of(1000, 5000, 20000);
    if (workers < 1 || chosen.stream().anyMatch(n -> n < 22)) {
      throw new BadInputException("--workers must be at least 1 and every --sizes at least 22 stages");
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new BadInputException(out + ": cannot create the output folder: " + e.getMessage(), e);
    }
    PrintWriter o = command.commandLine().getOut();
    o.println(ScaleBench.header());
    List<String> summary = ScaleBench.summary(new ScaleBench(out.resolve("work"), o, workers).run(chosen));
    String machine = String.format(Locale.ROOT, "Machine: %d cores, JVM %s, %d local worker(s) of %s slot(s); "
        + "supervisor CPU: its and its scheduler's own dispatcher threads", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), workers, "1");
    summary.subList(summary.size() - 3, summary.size()).forEach(o::println);
    o.println(machine);
    AtomicFiles.write(out.resolve("scale.md"), "# subspace bench scale\n\n```\n" + String.join("\n", summary)
        + "\n```\n\n" + machine + "\n");
    o.println("report: " + out.resolve("scale.md"));
    return 0;
  }
}
