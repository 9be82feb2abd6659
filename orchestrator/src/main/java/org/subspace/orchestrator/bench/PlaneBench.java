package org.subspace.orchestrator.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.runtime.EventLog;
import org.subspace.workers.store.AtomicFiles;

/**
 * {@code subspace bench plane}: the whole artifact plane at CIFAR size on CPU. A toy sweep with
 * a 2-5500-5000-1 network (27.5M weights) on 20 points, SWAG from epoch 1 with 20 deviations (a
 * 2.2 GB training state, and a 2.2 GB rank-20 PCA subspace) runs train, PCA, ESS and evaluate
 * across an orchestrator JVM and two worker JVMs; the orchestrator is SIGKILLed once, as soon
 * as the trained state is in its store, and started again, and resumes from that store alone.
 * Each node's /metrics is scraped every second: peak heap, bytes received; peak RSS from
 * /proc. Writes OUT/plane.md.
 */
public final class PlaneBench {
  private static final List<String> SWEEP = List.of("config/sweeps/toy-regression.conf",
      "-D", "data.generated.train-points=20", "-D", "data.generated.test-points=50",
      "-D", "model.hidden=[5500,5000]", "-D", "training.epochs=22", "-D", "training.batch-size=20",
      "-D", "training.lr=1e-4",
      "-D", "training.swag.start-epoch=1", "-D", "training.swag.max-deviations=20",
      "-D", "subspace.ranks=[20]", "-D", "inference.methods=[ess]", "-D", "inference.samples=5",
      "-D", "evaluation.draws=5", "-D", "orchestrator.checkpoint.train-epochs=1000");

  /** One JVM's peaks over the run. */
  private static final class Node {
    final String name;
    final int metricsPort;
    Process process;
    double peakHeapMb;
    double peakRssMb;
    double receivedBytes;

    Node(String name, int metricsPort) {
      this.name = name;
      this.metricsPort = metricsPort;
    }
  }

  private final Path out;
  private final PrintWriter console;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public PlaneBench(Path out, PrintWriter console) {
    this.out = out;
    this.console = console;
  }

  public void run() throws Exception {
    Path sweep = out.resolve("sweep");
    int seed = freePort();
    Node orchestrator = new Node("orchestrator", freePort());
    List<Node> workers = List.of(new Node("worker-a", freePort()), new Node("worker-b", freePort()));
    List<Node> all = new ArrayList<>(workers);
    all.add(orchestrator);
    try {
      long started = System.nanoTime();
      orchestrator.process = orchestrator(sweep, seed, orchestrator.metricsPort, "orchestrator-1.log");
      for (Node worker : workers) {
        worker.process = child(out.resolve(worker.name + ".log"), List.of("worker", "--join", "127.0.0.1:" + seed,
            "--port", Integer.toString(freePort()), "--store", out.resolve(worker.name).toString(),
            "--metrics-port", Integer.toString(worker.metricsPort)));
      }
      measure(orchestrator, workers, all, sweep, seed, started);
    } finally {
      // Whatever happened, no node of the bench outlives it.
      for (Node node : all) {
        if (node.process != null) {
          node.process.destroyForcibly();
        }
      }
    }
  }

  private void measure(Node orchestrator, List<Node> workers, List<Node> all, Path sweep, int seed, long started)
      throws Exception {
    double killedAtSeconds = Double.NaN;
    double orchestratorReceivedBeforeKill = 0;
    while (true) {
      all.forEach(this::sample);
      if (Double.isNaN(killedAtSeconds) && trained(sweep)) {
        orchestratorReceivedBeforeKill = orchestrator.receivedBytes;
        orchestrator.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        killedAtSeconds = (System.nanoTime() - started) / 1e9;
        console.printf(Locale.ROOT, "killed the orchestrator at %.0f s, once the trained state was in its store%n",
            killedAtSeconds);
        console.flush();
        orchestrator.receivedBytes = 0;
        orchestrator.process = orchestrator(sweep, seed, orchestrator.metricsPort, "orchestrator-2.log");
      }
      if (!orchestrator.process.isAlive() && !Double.isNaN(killedAtSeconds)) {
        break;
      }
      if (!orchestrator.process.isAlive()) {
        throw new IllegalStateException("the orchestrator ended before the training did: see "
            + out.resolve("orchestrator-1.log"));
      }
      Thread.sleep(1000);
    }
    double wall = (System.nanoTime() - started) / 1e9;
    int exit = orchestrator.process.exitValue();
    for (Node worker : workers) {
      sample(worker);
      worker.process.destroy();
      worker.process.waitFor(30, TimeUnit.SECONDS);
    }
    orchestrator.receivedBytes += orchestratorReceivedBeforeKill;
    report(wall, killedAtSeconds, exit, all);
  }

  private void report(double wall, double killedAt, int exit, List<Node> nodes) throws IOException {
    StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "# subspace bench plane%n%n"
        + "Toy sweep, 2-5500-5000-1 MLP (27.5M weights), 20 deviations: a 2.2 GB training state and a 2.2 GB "
        + "subspace; orchestrator + 2 worker JVMs on loopback; the orchestrator SIGKILLed at %.0f s and restarted. "
        + "%d cores.%n%nWall time %.0f s, exit code %d.%n%n"
        + "| node | bytes received | peak heap MB | peak RSS MB |%n|---|---|---|---|%n", killedAt,
        Runtime.getRuntime().availableProcessors(), wall, exit));
    for (Node n : nodes) {
      md.append(String.format(Locale.ROOT, "| %s | %.2f GB | %.0f | %.0f |%n", n.name, n.receivedBytes / 1e9,
          n.peakHeapMb, n.peakRssMb));
    }
    AtomicFiles.write(out.resolve("plane.md"), md.toString());
    console.print(md);
    console.flush();
  }

  /** Whether the orchestrator has recorded the training as done (its state is then in the sweep's store). */
  private static boolean trained(Path sweep) throws IOException {
    Path events = sweep.resolve("events.jsonl");
    if (!Files.exists(events)) {
      return false;
    }
    for (Map<String, Object> event : EventLog.read(events)) {
      if ("stage-done".equals(event.get("event")) && "train".equals(event.get("kind"))) {
        return true;
      }
    }
    return false;
  }

  private void sample(Node node) {
    if (node.process == null || !node.process.isAlive()) {
      return;
    }
    try {
      node.peakRssMb = Math.max(node.peakRssMb,
          MemoryProbe.peakResidentMegabytes(Path.of("/proc", Long.toString(node.process.pid()))));
      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.metricsPort
          + "/metrics")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
      Map<String, Double> sums = new LinkedHashMap<>();
      for (String line : metrics.lines().toList()) {
        if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
          sums.merge("heap", Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
        } else if (line.startsWith("subspace_artifact_transferred_bytes_total")) {
          sums.merge("received", Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
        }
      }
      node.peakHeapMb = Math.max(node.peakHeapMb, sums.getOrDefault("heap", 0.0) / 1048576);
      node.receivedBytes = Math.max(node.receivedBytes, sums.getOrDefault("received", 0.0));
    } catch (IOException | RuntimeException e) {
      // Not up yet, or just ended: the next sample counts.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Process orchestrator(Path sweep, int seed, int metricsPort, String log) throws IOException {
    List<String> args = new ArrayList<>(List.of("orchestrator"));
    args.add(SWEEP.get(0));
    args.addAll(List.of("--out", sweep.toString(), "--port", Integer.toString(seed), "--quiet"));
    args.addAll(SWEEP.subList(1, SWEEP.size()));
    args.addAll(List.of("-D", "orchestrator.metrics.port=" + metricsPort));
    return child(out.resolve(log), args);
  }

  private static Process child(Path log, List<String> args) throws IOException {
    return new ProcessBuilder(ChildJvm.command(List.of("-Dai.djl.pytorch.num_threads=1", "-Djava.awt.headless=true"),
        SubspaceCommand.class.getName(), args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
