package org.subspace.orchestrator.bench;

import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.LoggerFactory;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.orchestrator.runtime.EventLog;
import org.subspace.orchestrator.runtime.LocalGuardian;
import org.subspace.orchestrator.runtime.LocalSweep;
import org.subspace.orchestrator.runtime.SweepOutcome;
import org.subspace.protocol.spec.SampleSpec;
import org.subspace.protocol.stage.CheckpointPolicy;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.workers.stages.StageExecutor;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.workers.store.ArtifactStore;

/**
 * The benchmark behind {@code subspace bench scale}: what the orchestrator itself costs as a
 * sweep grows. Toy sweeps of 1 training, 1 PCA subspace and ranks 1..10 x T temperatures of
 * chains and evaluations (2 + 20 T stages) run through the real supervisor, scheduler and local
 * worker actors in this JVM, with an executor that computes nothing: each stage reports one
 * progress line and returns a tiny artifact of the kind its readers expect. So everything
 * measured is orchestration: planning, the event log and manifests (forced to disk),
 * results.csv, status, scheduling and the actor messages.
 *
 * <p>The supervisor and its scheduler run on a dispatcher of their own here (the actor
 * deployment config, nothing in the code), so their CPU time is that of its threads
 * ({@link ThreadMXBean}); the process's CPU time is reported beside it. Logging is at WARN while
 * it runs (a real sweep logs a few INFO lines per stage).
 */
public final class ScaleBench {
  /** The dispatcher the supervisor and its scheduler run on here. */
  static final String DISPATCHER = "scale-bench-supervisor";

  /**
   * One sweep: its size, the seconds to load its configuration and to plan it, the wall seconds
   * from the actor system's start to the outcome, the CPU time per stage of the supervisor and
   * scheduler threads and of the whole process (microseconds), and the scheduling latencies
   * (ready and a slot free to the worker's Started report) in milliseconds.
   */
  public record Row(int stages, int configurations, int rows, int started, int done, double loadSeconds,
      double planSeconds, double sweepSeconds, double supervisorMicrosPerStage, double processMicrosPerStage,
      double medianSchedulingMillis, double p90SchedulingMillis) {}

  private final Path work;
  private final PrintWriter log;
  private final int workers;

  /** Sweeps run in fresh folders under {@code work}, deleted afterwards. */
  public ScaleBench(Path work, PrintWriter log, int workers) {
    this.work = work;
    this.log = log;
    this.workers = workers;
  }

  /** Temperatures per rank for a sweep of about {@code stages} stages (2 + 20 T). */
  public static int temperaturesFor(int stages) {
    return Math.max(1, Math.round((stages - 2) / 20f));
  }

  /** A warm-up sweep (not reported: class loading, JIT), then one sweep per size. */
  public List<Row> run(List<Integer> sizes) throws Exception {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level level = root.getLevel();
    root.setLevel(Level.WARN);
    try {
      sweep(temperaturesFor(100));
      List<Row> rows = new ArrayList<>();
      for (int size : sizes) {
        Row row = sweep(temperaturesFor(size));
        log.println(line(row));
        log.flush();
        rows.add(row);
      }
      return rows;
    } finally {
      root.setLevel(level);
    }
  }

  /** One sweep of 2 + 20 {@code temperatures} stages, in a fresh folder. */
  Row sweep(int temperatures) throws Exception {
    String ts = IntStream.rangeClosed(1, temperatures)
        .mapToObj(i -> String.format(Locale.ROOT, "%.3f", 0.01 * i)).collect(Collectors.joining(",", "[", "]"));
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("subspace.ranks", "[1,2,3,4,5,6,7,8,9,10]");
    overrides.put("inference.temperatures", ts);
    overrides.put("evaluation.grid.enabled", "false");
    overrides.put("orchestrator.workers", Integer.toString(workers));
    overrides.put("orchestrator.metrics.port", "0");
    long t0 = System.nanoTime();
    SweepSpec spec = new SweepConfigLoader().load(Path.of("config/sweeps/toy-regression.conf"), overrides);
    long t1 = System.nanoTime();
    StagePlan plan = StagePlan.of(spec);
    long t2 = System.nanoTime();

    Files.createDirectories(work);
    Path out = Files.createTempDirectory(work, "sweep-" + plan.stages().size() + "-");
    try {
      AtomicLong supervisorNanos = new AtomicLong();
      AtomicLong processNanos = new AtomicLong();
      long processStart = processCpuNanos();
      long start = System.nanoTime();
      // Measured as the outcome completes, on the supervisor's thread: before the system stops
      // and its threads with it.
      LocalSweep.Guardian guardian = (s, p, store, outputs) -> {
        outputs.outcome().thenRun(() -> {
          supervisorNanos.set(dispatcherCpuNanos());
          processNanos.set(processCpuNanos() - processStart);
        });
        return LocalGuardian.create(s, p, store, outputs, new NoWork(store));
      };
      SweepOutcome outcome = LocalSweep.run(spec, plan, out, guardian, actorSystem(), false);
      double sweepSeconds = (System.nanoTime() - start) / 1e9;
      List<Map<String, Object>> events = EventLog.read(out.resolve("events.jsonl"));
      double[] latencies = events.stream().filter(e -> "stage-started".equals(e.get("event")))
          .mapToDouble(e -> ((Number) e.get("scheduling_ms")).doubleValue()).sorted().toArray();
      int done = (int) events.stream().filter(e -> "stage-done".equals(e.get("event"))).count();
      int n = plan.stages().size();
      return new Row(n, spec.configurations(), outcome.rows().size(), latencies.length, done, (t1 - t0) / 1e9,
          (t2 - t1) / 1e9, sweepSeconds, supervisorNanos.get() / 1e3 / n, processNanos.get() / 1e3 / n,
          quantile(latencies, 0.5), quantile(latencies, 0.9));
    } finally {
      Folders.deleteTree(out);
    }
  }

  /** The application's actor configuration with the supervisor and scheduler on their own two threads. */
  private static Config actorSystem() {
    return ConfigFactory.parseString("""
        akka.actor.deployment {
          "/sweep" { dispatcher = %1$s }
          "/sweep/scheduler" { dispatcher = %1$s }
        }
        %1$s {
          type = Dispatcher
          executor = thread-pool-executor
          thread-pool-executor { fixed-pool-size = 2, allow-core-timeout = off }
        }
        """.formatted(DISPATCHER)).withFallback(ConfigFactory.load());
  }

  /** CPU time of the threads of {@link #DISPATCHER} (the actor system's threads are named after it). */
  static long dispatcherCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().contains(DISPATCHER)) {
        total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The value at {@code q} of sorted values (nearest rank), NaN for none. */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
  }

  public static String header() {
    return String.format(Locale.ROOT, "%7s %8s %7s %8s %12s %12s %11s %11s", "stages", "load s", "plan s",
        "sweep s", "sup us/stage", "proc us/stage", "sched p50ms", "sched p90ms");
  }

  public static String line(Row r) {
    return String.format(Locale.ROOT, "%7d %8.3f %7.3f %8.1f %12.0f %12.0f %11.2f %11.2f", r.stages(),
        r.loadSeconds(), r.planSeconds(), r.sweepSeconds(), r.supervisorMicrosPerStage(),
        r.processMicrosPerStage(), r.medianSchedulingMillis(), r.p90SchedulingMillis());
  }

  /** The table, the ratios the targets are stated in, and whether every stage ran once. */
  public static List<String> summary(List<Row> rows) {
    List<String> lines = new ArrayList<>();
    lines.add(header());
    rows.forEach(r -> lines.add(line(r)));
    Row smallest = rows.stream().min(Comparator.comparingInt(Row::stages)).orElseThrow();
    Row largest = rows.stream().max(Comparator.comparingInt(Row::stages)).orElseThrow();
    lines.add(String.format(Locale.ROOT,
        "supervisor CPU per stage at %d / at %d: %.2f (target <= 1.5); process CPU per stage: %.2f",
        largest.stages(), smallest.stages(), largest.supervisorMicrosPerStage() / smallest.supervisorMicrosPerStage(),
        largest.processMicrosPerStage() / smallest.processMicrosPerStage()));
    lines.add(String.format(Locale.ROOT, "median scheduling latency at %d: %.2f ms (target < 5 ms)",
        largest.stages(), largest.medianSchedulingMillis()));
    boolean complete = rows.stream().allMatch(r -> r.started() == r.stages() && r.done() == r.stages()
        && r.rows() == r.configurations());
    lines.add(complete ? "every stage started and finished once; every configuration has its row"
        : "INCOMPLETE: some stage did not run exactly once (see the started/done counts)");
    return lines;
  }

  /**
   * Runs no stage: reports one progress line and returns, as each stage's output, one tiny
   * artifact per kind (put in the store once), so that readers of the outputs find what they
   * expect and no transfer is ever needed.
   */
  static final class NoWork extends StageExecutor {
    private final Map<ArtifactKind, ArtifactRef> outputs = new EnumMap<>(ArtifactKind.class);

    NoWork(ArtifactStore store) {
      super(store);
      for (ArtifactKind kind : ArtifactKind.values()) {
        outputs.put(kind, store.putTensors(kind, Map.of(kind.label().replace('-', '_'), Tensor.scalar(1.0))));
      }
    }

    @Override
    public Result run(Stage stage, ArtifactRef resumeFrom, CheckpointPolicy policy, Context context) {
      context.progress(1, 1, "no work");
      return new Result(List.of(outputs.get(kindOf(stage))), Map.of());
    }

    private static ArtifactKind kindOf(Stage stage) {
      if (stage instanceof Stage.Train) {
        return ArtifactKind.TRAINED;
      } else if (stage instanceof Stage.FitCurve) {
        return ArtifactKind.CURVE;
      } else if (stage instanceof Stage.BuildSubspace) {
        return ArtifactKind.SUBSPACE;
      } else if (stage instanceof Stage.Sample sample) {
        return sample.spec() instanceof SampleSpec.Swag ? ArtifactKind.SWAG_SAMPLES
            : sample.spec() instanceof SampleSpec.Variational ? ArtifactKind.VARIATIONAL : ArtifactKind.CHAIN;
      }
      return ArtifactKind.EVALUATION;
    }
  }
}
