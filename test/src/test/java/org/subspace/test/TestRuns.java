package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.subspace.orchestrator.runtime.EventLog;
import org.subspace.orchestrator.cli.SubspaceCommand;

/** What the end-to-end tests share: comparing results, free ports, child JVMs. */
final class TestRuns {
  private TestRuns() {}

  /** results.csv without the columns that measure time, row by row. */
  static List<String> resultsWithoutTimings(Path out) throws IOException {
    List<String> lines = Files.readAllLines(out.resolve("results.csv"));
    List<String> header = Arrays.asList(lines.get(0).split(","));
    List<String> kept = new ArrayList<>();
    for (String line : lines) {
      String[] cells = line.split(",", -1);
      StringBuilder row = new StringBuilder();
      for (int i = 0; i < cells.length; i++) {
        if (!header.get(i).endsWith("_seconds")) {
          row.append(cells[i]).append(',');
        }
      }
      kept.add(row.toString());
    }
    return kept;
  }

  /** Asserts from the event log that each of the sweep's {@code stages} was done exactly once over all runs. */
  static void assertEveryStageDoneOnce(Path out, int stages) throws IOException {
    Map<Object, Long> donePerKey = EventLog.read(out.resolve("events.jsonl")).stream()
        .filter(e -> "stage-done".equals(e.get("event")))
        .collect(Collectors.groupingBy(e -> e.get("key"), Collectors.counting()));
    assertEquals(stages, donePerKey.size(), "every stage finished");
    assertTrue(donePerKey.values().stream().allMatch(n -> n == 1), "no finished stage was computed again");
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Starts the command line in a child JVM with this test's classpath, output to {@code log}. */
  static Process child(Path log, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Djava.awt.headless=true",
        SubspaceCommand.class.getName()));
    command.addAll(args);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
