package org.subspace.orchestrator.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.orchestrator.report.UciTable;
import org.subspace.orchestrator.runtime.SweepOutcome;
import org.subspace.protocol.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "uci",
    mixinStandardHelpOptions = true,
    description = "The paper's small-UCI experiments (config/sweeps/uci.conf): PCA+ESS, PCA+VI, SGD and SWAG from one "
        + "training per split; prints mean +- std over splits of test LL and RMSE beside the paper's numbers and the "
        + "compute times per stage kind, and writes OUT/uci_table.md and OUT/uci_table.csv.")
final class BenchUciCommand implements Callable<Integer> {
  private static final Pattern RANGE = Pattern.compile("(\\d+)\\.\\.(\\d+)");

  @Option(names = "--datasets", split = ",", paramLabel = "NAME",
      description = "Catalog names (config/uci/catalog.conf), default: ${DEFAULT-VALUE}")
  List<String> datasets = List.of("boston", "energy", "yacht");

  @Option(names = "--splits", paramLabel = "SPLITS", description = "A range 1..20 or a list 1,2,3 (default ${DEFAULT-VALUE})")
  String splits = "1..20";

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Output folder (default ${DEFAULT-VALUE})")
  Path out = Path.of("runs/uci");

  @Option(names = {"-w", "--workers"}, paramLabel = "N", description = "Local worker nodes (default 1)")
  Integer workers;

  @Option(names = "--sweep", paramLabel = "FILE", description = "The sweep (default ${DEFAULT-VALUE})")
  Path sweep = Path.of("config/sweeps/uci.conf");

  @Option(names = "--data", paramLabel = "NAME=PATH", description = "Where a dataset's file is, e.g. concrete=/data/concrete.txt")
  Map<String, Path> dataPaths = new LinkedHashMap<>();

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Override a sweep key")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = {"-q", "--quiet"}, description = "No progress bar (there is none when output is not a terminal)")
  boolean quiet;

  @Spec CommandSpec command;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> all = new LinkedHashMap<>(overrides);
    all.put("datasets", "[" + String.join(",", datasets) + "]");
    all.put("data.splits", parseSplits(splits).toString());
    dataPaths.forEach((name, path) -> all.put("dataset-catalog." + name + ".data.path", "\"" + path + "\""));
    SweepConfigLoader.Loaded loaded = new SweepConfigLoader().read(sweep, all);
    SweepSpec spec = SweepExecution.withWorkers(loaded.spec(), workers);
    StagePlan plan = StagePlan.of(spec);
    SweepOutcome outcome = SweepExecution.run(command, spec, loaded.config(), plan, out, quiet);
    PrintWriter o = command.commandLine().getOut();
    UciTable table = UciTable.of(plan, outcome);
    table.write(out);
    o.println();
    o.print(table.markdown());
    o.println("table: " + out.resolve("uci_table.md") + ", " + out.resolve("uci_table.csv"));
    o.flush();
    return SweepExecution.exitCode(outcome);
  }

  static List<Integer> parseSplits(String text) {
    List<Integer> result = new ArrayList<>();
    Matcher range = RANGE.matcher(text.strip());
    try {
      if (range.matches()) {
        int from = Integer.parseInt(range.group(1));
        int to = Integer.parseInt(range.group(2));
        for (int i = from; i <= to; i++) {
          result.add(i);
        }
      } else {
        for (String part : text.split(",")) {
          result.add(Integer.parseInt(part.strip()));
        }
      }
    } catch (NumberFormatException e) {
      throw new BadInputException("--splits: expected a range like 1..20 or a list like 1,2,3, got '" + text + "'");
    }
    if (result.isEmpty()) {
      throw new BadInputException("--splits: '" + text + "' names no split");
    }
    return result;
  }
}
