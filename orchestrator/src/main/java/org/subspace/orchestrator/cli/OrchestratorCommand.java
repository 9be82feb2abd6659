package org.subspace.orchestrator.cli;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.subspace.orchestrator.cluster.ClusterConfig;
import org.subspace.orchestrator.cluster.ClusterGuardian;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.orchestrator.runtime.SweepOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "orchestrator",
    mixinStandardHelpOptions = true,
    description = "Run a sweep as the orchestrator node of an Akka Cluster: it is the seed node, holds the sweep "
        + "supervisor (a cluster singleton) and the sweep's store, and hands stages to the worker nodes that join "
        + "it (`subspace worker --join HOST:PORT`). Outputs as for `run`; restarting it resumes the sweep.")
final class OrchestratorCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SWEEP", description = "Sweep file (HOCON)")
  Path sweepFile;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder with the store")
  Path out;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to bind and advertise (default ${DEFAULT-VALUE})")
  String host = "127.0.0.1";

  @Option(names = "--port", paramLabel = "PORT", description = "Cluster port (default ${DEFAULT-VALUE})")
  int port = 25520;

  @Option(names = {"-w", "--workers"}, paramLabel = "N", description = "Local workers on this node too (default 0)")
  Integer workers = 0;

  @Option(names = "--tls", paramLabel = "DIR", description = "Artery TLS with mutual authentication: DIR/node.p12 "
      + "and DIR/truststore.p12 (config/cluster/make-test-certs.sh makes test ones)")
  Path tls;

  @Option(names = "--config", paramLabel = "FILE", description = "Extra Akka settings (HOCON) for this node")
  Path config;

  @Option(names = "--insecure", description = "Allow a non-loopback --host without --tls: anyone who reaches the "
      + "address can join, run stages and read artifacts. Only on networks where every host is yours")
  boolean insecure;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Override a sweep key")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = {"-q", "--quiet"}, description = "No progress bar (there is none when output is not a terminal)")
  boolean quiet;

  @Spec CommandSpec command;

  @Override
  public Integer call() throws InterruptedException {
    SweepConfigLoader.Loaded loaded = new SweepConfigLoader().read(sweepFile, overrides);
    SweepSpec read = loaded.spec();
    SweepSpec spec = new SweepSpec(read.name(), read.experiments(), read.runtime().withWorkers(workers));
    StagePlan plan = StagePlan.of(spec);
    String address = host + ":" + port;
    Config node = ClusterConfig.node(ClusterGuardian.ORCHESTRATOR_ROLE, host, port, address, tls, config, insecure);
    ClusterConfig.warnIfOpen(command.commandLine().getErr(), node);
    SweepOutcome outcome = SweepExecution.run(command, spec, loaded.config(), plan, out, ClusterGuardian::orchestrator,
        node, quiet);
    return SweepExecution.exitCode(outcome);
  }
}
