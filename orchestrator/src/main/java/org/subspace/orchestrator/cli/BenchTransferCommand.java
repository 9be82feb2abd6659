package org.subspace.orchestrator.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.subspace.orchestrator.bench.TransferBench;
import org.subspace.protocol.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "transfer",
    mixinStandardHelpOptions = true,
    description = "Artifacts of SIZES GB moved between two node JVMs on loopback, each with a capped heap: MB/s, "
        + "peak heap and peak RSS of both ends. Writes OUT/transfer.md. Needs about twice the largest size on disk.")
final class BenchTransferCommand implements Callable<Integer> {
  @Option(names = "--sizes", split = ",", paramLabel = "GB", description = "Artifact sizes in GB (default 0.5,2,4)")
  List<Double> sizes = List.of(0.5, 2.0, 4.0);

  @Option(names = "--heap", paramLabel = "SIZE", description = "-Xmx of each node JVM (default ${DEFAULT-VALUE})")
  String heap = "512m";

  @Option(names = "--tls", paramLabel = "DIR", description = "Both nodes with Artery TLS from the orchestrator's "
      + "keystore in DIR (node.p12 and truststore.p12, e.g. certs/orchestrator from config/cluster/make-test-certs.sh); "
      + "the transfer goes under TLS too")
  Path tls;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Output folder (default ${DEFAULT-VALUE})")
  Path out = Path.of("runs/transfer");

  @Spec CommandSpec command;

  @Override
  public Integer call() throws Exception {
    if (sizes.stream().anyMatch(s -> !(s > 0))) {
      throw new BadInputException("--sizes: every size must be a positive number of GB, got " + sizes);
    }
    if (!heap.matches("[0-9]+[kmgKMG]")) {
      throw new BadInputException("--heap: expected a JVM size such as 512m, got " + heap);
    }
    if (tls != null && !Files.isRegularFile(tls.resolve("node.p12"))) {
      throw new BadInputException("--tls: " + tls.resolve("node.p12") + " not found (see config/cluster/make-test-certs.sh)");
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new BadInputException(out + ": cannot create the output folder: " + e.getMessage(), e);
    }
    List<TransferBench.Result> results = TransferBench.report(out, sizes, heap, tls, command.commandLine().getOut());
    return results.stream().allMatch(TransferBench.Result::intact) ? 0 : 1;
  }
}
