package org.subspace.orchestrator.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subspace.orchestrator.config.ResolvedConfig;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.protocol.HostName;
import org.subspace.workers.store.AtomicFiles;

/**
 * The record of a run, written into its output folder before any stage runs: {@code sweep.conf},
 * the resolved configuration (a sweep file that plans the same stages again), and
 * {@code run.json}: the command line, the software, host and workers, when the run started and,
 * rewritten when it ends, when and how it ended. A run whose configuration differs from the
 * folder's {@code sweep.conf} keeps the earlier one as {@code sweep.previous.conf} and tells
 * which keys changed, since the folder's results now mix the two.
 */
public final class RunRecord {
  public static final String CONFIG = "sweep.conf";
  public static final String PREVIOUS_CONFIG = "sweep.previous.conf";
  public static final String RUN = "run.json";
  private static final Logger log = LoggerFactory.getLogger(RunRecord.class);
  private static final ObjectMapper JSON = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();
  /** Arguments a shell passes on unchanged; the header quotes the others. */
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,@%+-]+");

  /** run.json: times are ISO-8601 instants; {@code ended} is null while the run goes on (or after it was killed). */
  private record Run(List<String> command, String workingDirectory, String sweep, String started, String ended,
      Outcome outcome, Versions software, String host, Threads threads, Workers workers) {}

  /**
   * @param status running, ok (every configuration finished), failed (some did not) or error (the
   *     run stopped with {@code error})
   */
  private record Outcome(String status, Long configurations, Long ok, Long failed, Integer exitCode, String error) {
    static final Outcome RUNNING = new Outcome("running", null, null, null, null, null);
  }

  /** @param pytorchNumThreads null when the system property is not set (PyTorch then picks) */
  private record Threads(int availableProcessors, String pytorchNumThreads, String pytorchNumInteropThreads) {}

  /**
   * @param local the worker nodes in this JVM (on an orchestrator node its --workers, 0 by default)
   * @param ranStages the workers, local or joined from other nodes, that ran a stage of this run;
   *     null until it ends
   */
  private record Workers(int local, int slotsPerWorker, List<Integer> gpus, List<String> ranStages) {}

  private final Path out;
  private final Instant started;
  private final Run running;
  private final List<String> configChanges;

  private RunRecord(Path out, Instant started, Run running, List<String> configChanges) {
    this.out = out;
    this.started = started;
    this.running = running;
    this.configChanges = configChanges;
  }

  /**
   * Writes sweep.conf and run.json into {@code out}, an existing folder; {@code commandLine} is
   * the subcommand and its arguments.
   */
  public static RunRecord start(Path out, ResolvedConfig config, SweepSpec spec, List<String> commandLine) {
    Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Versions software = Versions.current();
    List<String> changes = writeConfig(out, config, header(software, commandLine));
    SweepSpec.RuntimeSpec runtime = spec.runtime();
    Run running = new Run(List.copyOf(commandLine), Path.of("").toAbsolutePath().toString(), spec.name(),
        started.toString(), null, Outcome.RUNNING, software, HostName.of(),
        new Threads(Runtime.getRuntime().availableProcessors(), System.getProperty("ai.djl.pytorch.num_threads"),
            System.getProperty("ai.djl.pytorch.num_interop_threads")),
        new Workers(runtime.workers(), runtime.slotsPerWorker(), runtime.gpus(), null));
    RunRecord record = new RunRecord(out, started, running, changes);
    record.write(running);
    return record;
  }

  /** The keys whose values differ from the folder's earlier sweep.conf, as {@code "key old -> new"}; empty if none. */
  public List<String> configChanges() {
    return configChanges;
  }

  /** Records the end of a sweep that ran to its end, with the exit code its command returns. */
  public void finished(SweepOutcome outcome, int exitCode) {
    long rows = outcome.rows().size();
    long failed = outcome.failures();
    write(ended(new Outcome(failed == 0 ? "ok" : "failed", rows, rows - failed, failed, exitCode, null)));
  }

  /** Records a run that stopped with {@code error}; a failure to write is added to it rather than hiding it. */
  public void failed(Exception error) {
    try {
      write(ended(new Outcome("error", null, null, null, null, error.toString())));
    } catch (RuntimeException e) {
      error.addSuppressed(e);
    }
  }

  private Run ended(Outcome outcome) {
    Workers w = running.workers();
    return new Run(running.command(), running.workingDirectory(), running.sweep(), running.started(),
        Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), outcome, running.software(), running.host(),
        running.threads(), new Workers(w.local(), w.slotsPerWorker(), w.gpus(), workersThatRanStages()));
  }

  /** From the event log: cluster workers join without the orchestrator being told more than their name. */
  private List<String> workersThatRanStages() {
    try {
      return EventLog.read(out.resolve("events.jsonl")).stream()
          .filter(e -> "stage-started".equals(e.get("event")))
          .filter(e -> ((Number) e.get("time")).longValue() >= started.toEpochMilli())
          .map(e -> String.valueOf(e.get("worker")))
          .distinct()
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      log.warn("{}: cannot read the event log for run.json's workers: {}", out, e.getMessage());
      return null;
    }
  }

  private void write(Run run) {
    try {
      AtomicFiles.write(out.resolve(RUN), JSON.writeValueAsString(run) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("run.json holds plain values", e);
    }
  }

  /**
   * Writes sweep.conf and returns how it differs from the folder's earlier one, which is kept as
   * sweep.previous.conf when it differs (or cannot be read as a configuration).
   */
  private static List<String> writeConfig(Path out, ResolvedConfig config, String header) {
    Path file = out.resolve(CONFIG);
    List<String> changes = List.of();
    if (Files.exists(file)) {
      byte[] earlier;
      try {
        earlier = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new IllegalStateException(file + ": cannot read the earlier run's configuration: " + e.getMessage(), e);
      }
      boolean differs;
      try {
        changes = config.changesSince(ResolvedConfig.parse(new String(earlier, StandardCharsets.UTF_8)));
        differs = !changes.isEmpty();
      } catch (ConfigException e) {
        log.warn("{}: not a configuration, kept as {}: {}", file, PREVIOUS_CONFIG, e.getMessage());
        differs = true;
      }
      if (differs) {
        AtomicFiles.write(out.resolve(PREVIOUS_CONFIG), earlier);
      }
      if (!changes.isEmpty()) {
        log.info("{} changed since the last run in {} key(s); the earlier one is kept as {}", file, changes.size(),
            PREVIOUS_CONFIG);
      }
    }
    AtomicFiles.write(file, config.render(header));
    return changes;
  }

  private static String header(Versions software, List<String> commandLine) {
    return String.join("\n",
        "The resolved configuration of the latest run in this folder: the defaults, the sweep file with",
        "its includes and the -D overrides merged, data paths made absolute. It is a sweep file that",
        "plans the same stages: subspace run " + CONFIG + " --out DIR. run.json tells the rest.",
        "Written by subspace " + software.build() + " for:",
        "  subspace " + commandLine.stream().map(RunRecord::shellWord).collect(Collectors.joining(" ")));
  }

  private static String shellWord(String argument) {
    return PLAIN.matcher(argument).matches() ? argument : "'" + argument.replace("'", "'\\''") + "'";
  }
}
