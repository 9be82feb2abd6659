package org.subspace.orchestrator.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.runtime.EventLog;
import org.subspace.workers.store.AtomicFiles;

/**
 * The soak behind {@code subspace bench soak}: a long toy sweep (about 500 stages) with three
 * local worker nodes in a child JVM whose heap is fixed and pre-touched, sampled twice a second
 * from outside twice a second: RSS, open files and threads. Afterwards the event log says whether any stage
 * was lost or ran twice. Writes {@code soak.csv} (the curve) and {@code soak.md}.
 */
public final class SoakBench {
  /** One sample of the child process. */
  public record Sample(double seconds, double rssMegabytes, int openFiles, int threads) {}

  private final Path out;
  private final PrintWriter log;
  private long startMillis;

  public SoakBench(Path out, PrintWriter log) {
    this.out = out;
    this.log = log;
  }

  /** Runs the soak over {@code ranks} x {@code temperatures} chains; returns the samples. */
  public List<Sample> run(int ranks, int temperatures) throws Exception {
    List<String> ts = new ArrayList<>();
    for (int i = 1; i <= temperatures; i++) {
      ts.add(String.format(Locale.ROOT, "%.2f", 0.25 * i));
    }
    List<String> rs = new ArrayList<>();
    for (int r = 1; r <= ranks; r++) {
      rs.add(Integer.toString(r));
    }
    Path sweep = out.resolve("sweep");
    List<String> command = ChildJvm.command(List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch",
        "-Dai.djl.pytorch.num_threads=1", "-Djava.awt.headless=true"), SubspaceCommand.class.getName(), List.of(
        "run", "config/sweeps/toy-regression.conf", "--out", sweep.toString(),
        "--workers", "3", "--quiet", "-D", "training.epochs=300", "-D", "training.swag.start-epoch=200",
        "-D", "inference.samples=400", "-D", "evaluation.grid.enabled=false", "-D", "orchestrator.metrics.port=0",
        "-D", "subspace.ranks=[" + String.join(",", rs) + "]",
        "-D", "inference.temperatures=[" + String.join(",", ts) + "]"));
    Process child = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(out.resolve("sweep.log").toFile()).start();
    List<Sample> samples = new ArrayList<>();
    long start = System.nanoTime();
    startMillis = System.currentTimeMillis();
    Path proc = Path.of("/proc", Long.toString(child.pid()));
    while (child.isAlive()) {
      try {
        samples.add(new Sample((System.nanoTime() - start) / 1e9, MemoryProbe.residentMegabytes(proc),
            count(proc.resolve("fd")),
            count(proc.resolve("task"))));
      } catch (IOException gone) {
        break;
      }
      child.waitFor(500, TimeUnit.MILLISECONDS);
    }
    if (child.exitValue() != 0) {
      throw new IllegalStateException("the soak sweep failed; see " + out.resolve("sweep.log"));
    }
    return samples;
  }

  /** Writes soak.csv and soak.md and returns the summary lines. */
  public List<String> report(List<Sample> samples) throws IOException {
    StringBuilder csv = new StringBuilder("seconds,rss_mb,open_files,threads\n");
    samples.forEach(s -> csv.append(String.format(Locale.ROOT, "%.1f,%.1f,%d,%d%n", s.seconds(), s.rssMegabytes(),
        s.openFiles(), s.threads())));
    AtomicFiles.write(out.resolve("soak.csv"), csv.toString());

    List<Map<String, Object>> events = EventLog.read(out.resolve("sweep").resolve("events.jsonl"));
    long planned = ((Number) events.get(0).get("stages")).longValue();
    Map<Object, Long> donePerKey = events.stream().filter(e -> "stage-done".equals(e.get("event")))
        .collect(Collectors.groupingBy(e -> e.get("key"), Collectors.counting()));
    long twice = donePerKey.values().stream().filter(n -> n > 1).count();
    // The steady state: from a quarter of the sweep's time to its last stage (the reports written
    // after it are another phase).
    double sweepDone = (events.stream().filter(e -> "sweep-done".equals(e.get("event")))
        .mapToLong(e -> ((Number) e.get("time")).longValue()).max().orElseThrow() - startMillis) / 1e3;
    List<Sample> steady = samples.stream()
        .filter(s -> s.seconds() >= sweepDone / 4 && s.seconds() <= sweepDone).toList();
    if (steady.size() < 2) {
      throw new IllegalStateException("the soak was too short to sample; raise --temperatures");
    }
    Sample first = steady.get(0);
    Sample last = steady.get(steady.size() - 1);
    double max = steady.stream().mapToDouble(Sample::rssMegabytes).max().orElse(Double.NaN);
    double min = steady.stream().mapToDouble(Sample::rssMegabytes).min().orElse(Double.NaN);
    // Stages come and go with their working memory, so compare the halves' medians, not two samples.
    int half = steady.size() / 2;
    double early = Stats.of(steady.subList(0, half).stream().map(Sample::rssMegabytes).toList()).median();
    double late = Stats.of(steady.subList(half, steady.size()).stream().map(Sample::rssMegabytes).toList()).median();
    List<String> summary = List.of(
        String.format(Locale.ROOT, "stages: %d planned, %d done, %d lost, %d done twice", planned, donePerKey.size(),
            planned - donePerKey.size(), twice),
        String.format(Locale.ROOT, "RSS in the steady state (%.0f-%.0f s): median %.1f MB in the first half, "
            + "%.1f MB in the second (%+.1f%%); range %.1f-%.1f MB", first.seconds(), last.seconds(), early, late,
            100 * (late / early - 1), min, max),
        String.format(Locale.ROOT, "open files: %d -> %d; threads: %d -> %d", first.openFiles(), last.openFiles(),
            first.threads(), last.threads()),
        String.format(Locale.ROOT, "samples: %d over %.0f s, %d of them in the steady state (soak.csv)",
            samples.size(), samples.get(samples.size() - 1).seconds(), steady.size()));
    AtomicFiles.write(out.resolve("soak.md"), "# subspace bench soak\n\n"
        + "A toy sweep with 3 local workers in a child JVM (heap fixed at 512 MB, pre-touched), sampled twice a second.\n\n"
        + summary.stream().map(l -> "- " + l).collect(Collectors.joining("\n")) + "\n");
    summary.forEach(log::println);
    log.flush();
    return summary;
  }

  private static int count(Path folder) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return (int) entries.count();
    }
  }
}
