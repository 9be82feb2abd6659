package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.runtime.EventLog;
import org.subspace.orchestrator.runtime.ResultRow;
import org.subspace.orchestrator.runtime.ResultsCsv;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.vocabulary.ArtifactKind;

/** What the end-to-end tests share: comparing results, free ports, child JVMs. */
final class TestRuns {
  private TestRuns() {}

  /** The rows of a sweep's results.csv. */
  static List<ResultRow> results(Path out) {
    return ResultsCsv.read(out.resolve("results.csv"));
  }

  /** results.csv row by row, each row by column name without the columns that measure time. */
  static List<Map<String, Object>> resultsWithoutTimings(Path out) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ResultRow row : results(out)) {
      Map<String, Object> kept = new LinkedHashMap<>();
      for (RecordComponent column : ResultRow.class.getRecordComponents()) {
        if (!column.getName().endsWith("Seconds")) {
          try {
            kept.put(column.getName(), column.getAccessor().invoke(row));
          } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
          }
        }
      }
      rows.add(kept);
    }
    return rows;
  }

  /** Asserts from the event log that each of the sweep's {@code stages} was done exactly once over all runs. */
  static void assertEveryStageDoneOnce(Path out, int stages) throws IOException {
    Map<Object, Long> donePerKey = EventLog.read(out.resolve("events.jsonl")).stream()
        .filter(e -> "stage-done".equals(e.get("event")))
        .collect(Collectors.groupingBy(e -> e.get("key"), Collectors.counting()));
    assertEquals(stages, donePerKey.size(), "every stage finished");
    assertTrue(donePerKey.values().stream().allMatch(n -> n == 1), "no finished stage was computed again");
  }

  /** The one output of {@code kind} among the stage manifests of a sweep's store. */
  static ArtifactRef outputOf(Path out, ArtifactKind kind) throws IOException {
    ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    List<ArtifactRef> found = new ArrayList<>();
    try (Stream<Path> manifests = Files.list(out.resolve("store").resolve("stages"))) {
      for (Path manifest : manifests.filter(p -> p.toString().endsWith(".json")).toList()) {
        json.readValue(manifest.toFile(), StageManifest.class).outputs().stream()
            .filter(ref -> ref.kind() == kind).forEach(found::add);
      }
    }
    assertEquals(1, found.size(), "one " + kind + " output in " + out);
    return found.get(0);
  }

  /** Certificates for {@code nodes} (NAME or NAME:ROLE) from one new authority, under {@code folder}. */
  static void certificates(Path folder, String... nodes) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", "config/cluster/make-test-certs.sh", folder.toString()));
    command.addAll(List.of(nodes));
    Process make = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, make.waitFor(), "make-test-certs.sh " + command + ": " + output);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Starts the command line in a child JVM with this test's classpath, output to {@code log}. */
  static Process child(Path log, List<String> args) throws IOException {
    return child(log, 1, args);
  }

  /** {@link #child(Path, List)} with {@code threads} intra-op threads for the engine. */
  static Process child(Path log, int threads, List<String> args) throws IOException {
    return start(log, command(threads, args));
  }

  /** The java command line of {@link #child(Path, int, List)}, to be wrapped (say, run in a network namespace). */
  static List<String> command(int threads, List<String> args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=" + threads, "-Djava.awt.headless=true",
        SubspaceCommand.class.getName()));
    command.addAll(args);
    return command;
  }

  /** Starts {@code command} with its output to {@code log}. */
  static Process start(Path log, List<String> command) throws IOException {
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
