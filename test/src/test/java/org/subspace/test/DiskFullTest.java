package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.runtime.EventLog;
import org.subspace.orchestrator.runtime.ResultsCsv;
import org.subspace.workers.store.StorageFailureException;

/**
 * A sweep writing to a real, small tmpfs runs out of space: it stops with one line naming the
 * file, leaves no torn or temporary file, and the same command finishes it once the file
 * system has grown, without doing any finished stage again. Mounting needs root (as on CI).
 */
class DiskFullTest {
  private static final List<String> SHORT = List.of("--quiet",
      "-D", "training.epochs=300", "-D", "training.swag.start-epoch=200", "-D", "inference.samples=100",
      "-D", "orchestrator.metrics.port=0");
  /** The shortened toy grid writes about 9 MB: 3 MB runs out among the chains and evaluations. */
  private static final String SMALL = "size=3m";

  @TempDir Path dir;
  private Path mount;

  @AfterEach
  void unmount() throws Exception {
    if (mount != null) {
      new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void aFullDiskStopsTheSweepCleanlyAndTheSameCommandResumesIt() throws Exception {
    Path reference = dir.resolve("reference");
    assertEquals(0, run(reference).exitCode());

    Path tmpfs = mountTmpfs("tmpfs", SMALL);
    Path out = tmpfs.resolve("sweep");

    Run full = run(out);
    assertEquals(1, full.exitCode(), full.stderr());
    String error = full.stderr().lines().reduce((first, second) -> second).orElse("");
    assertTrue(error.startsWith("error: disk full: cannot write " + out), error);
    assertTrue(error.contains("run the same command again"), error);
    long doneBefore = Files.readAllLines(out.resolve("events.jsonl")).stream()
        .filter(line -> line.contains("\"stage-done\"")).count();
    assertTrue(doneBefore > 0, "some stages finished before the disk filled");
    assertNoTornFiles(out);

    assertTrue(mountOptions(tmpfs, "-o", "remount,size=64m", "tmpfs"), "growing the tmpfs");
    Run resumed = run(out);
    assertEquals(0, resumed.exitCode(), resumed.stderr());
    TestRuns.assertEveryStageDoneOnce(out, 26);
    assertEquals(TestRuns.resultsWithoutTimings(reference), TestRuns.resultsWithoutTimings(out));
  }

  /**
   * A worker node whose own store is a 1 MB tmpfs: its first training checkpoint fills it, the
   * orchestrator stops the sweep naming that worker, and once the worker's disk has grown the
   * same orchestrator command (the worker rejoins by itself) finishes with the one-JVM results.
   */
  @Test
  void aWorkerNodesFullDiskStopsTheClusterSweepAndItResumesAfterwards() throws Exception {
    Path reference = dir.resolve("reference");
    assertEquals(0, run(reference, "run").exitCode());
    Path tmpfs = mountTmpfs("worker-store", "size=1m");
    Path out = dir.resolve("cluster");
    int seed = TestRuns.freePort();
    int workerPort = TestRuns.freePort();
    Process worker = TestRuns.child(dir.resolve("worker.log"), List.of("worker", "--join", "127.0.0.1:" + seed,
        "--port", Integer.toString(workerPort), "--store", tmpfs.resolve("store").toString()));
    try {
      // The orchestrator node runs no stages itself (no local workers), so the worker's disk is the one that fills.
      Run full = run(out, "orchestrator", "--port", Integer.toString(seed));
      assertEquals(1, full.exitCode(), full.stderr());
      String error = full.stderr().lines().reduce((first, second) -> second).orElse("");
      assertTrue(error.startsWith("error: disk full: cannot write " + tmpfs), error);
      assertTrue(error.contains("(on worker subspace@127.0.0.1:" + workerPort + ", running train"), error);

      assertTrue(mountOptions(tmpfs, "-o", "remount,size=64m", "tmpfs"), "growing the tmpfs");
      Run resumed = run(out, "orchestrator", "--port", Integer.toString(seed));
      assertEquals(0, resumed.exitCode(), resumed.stderr());
    } finally {
      worker.destroyForcibly().waitFor();
    }
    TestRuns.assertEveryStageDoneOnce(out, 26);
    assertEquals(TestRuns.resultsWithoutTimings(reference), TestRuns.resultsWithoutTimings(out));
  }

  private record Run(int exitCode, String stderr) {}

  private static Run run(Path out) {
    return run(out, "run");
  }

  private static Run run(Path out, String command, String... extra) {
    List<String> args = new ArrayList<>(List.of(command, "config/sweeps/toy-grid.conf", "--out", out.toString()));
    args.addAll(SHORT);
    args.addAll(List.of(extra));
    StringWriter err = new StringWriter();
    int code = SubspaceCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
        args.toArray(new String[0]));
    return new Run(code, err.toString());
  }

  /**
   * On a 64 KiB tmpfs: an event that does not fit leaves the log as it was, so the next line
   * never lands after torn bytes; and a full disk is recognised whatever language the system's
   * error message is in.
   */
  @Test
  void aFailedAppendIsCutBackAndAFullDiskIsKnownInAnyLanguage() throws Exception {
    Path tmpfs = mountTmpfs("tiny", "size=64k");
    Path log = tmpfs.resolve("events.jsonl");
    try (EventLog events = new EventLog(log)) {
      events.append("first", Map.of());
      long before = Files.size(log);
      StorageFailureException full = assertThrows(StorageFailureException.class,
          () -> events.append("too-large", Map.of("padding", "x".repeat(200_000))));
      assertEquals(before, Files.size(log), "the failed append left nothing behind: " + full.getMessage());
      events.append("after", Map.of());
    }
    assertEquals(List.of("first", "after"), EventLog.read(log).stream().map(e -> e.get("event")).toList());

    // ENOSPC in German: known by the space left, not by the words.
    IOException german = new IOException("Auf dem Gerät ist kein Speicherplatz mehr verfügbar");
    assertInstanceOf(StorageFailureException.class, StorageFailureException.writeFailed(log, german));
    assertFalse(StorageFailureException.writeFailed(dir.resolve("x"), german) instanceof StorageFailureException,
        "the same words where there is room are some other failure");
  }

  /**
   * A file system that turns read-only under a running sweep (as ext4 does after an I/O error):
   * the sweep stops with one line naming the file and the cause, not retrying stage after stage;
   * once it is writable again the same command finishes, each stage done once.
   */
  @Test
  void aFileSystemTurnedReadOnlyStopsTheSweepWithOneLineAndTheSameCommandResumesIt() throws Exception {
    // The store is a mount of its own: a file system cannot turn read-only while a file on it is
    // open for writing, and the event log stays open, while the store's files are open briefly.
    Path out = dir.resolve("read-only");
    Path tmpfs = mountTmpfs("read-only/store", "size=64m");
    CompletableFuture<Run> sweep = CompletableFuture.supplyAsync(() -> run(out));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!(Files.exists(out.resolve("events.jsonl"))
        && Files.readString(out.resolve("events.jsonl")).contains("\"stage-done\"")) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    while (!mountOptions(tmpfs, "-o", "remount,ro", "tmpfs") && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertFalse(Files.isWritable(tmpfs), "the store is read-only");
    Run stopped = sweep.get(120, TimeUnit.SECONDS);
    assertEquals(1, stopped.exitCode(), stopped.stderr());
    String error = stopped.stderr().lines().reduce((first, second) -> second).orElse("");
    assertTrue(error.startsWith("error: read-only file system: cannot write " + tmpfs), error);
    assertTrue(error.endsWith("mend the storage and run the same command again: finished stages are kept"), error);
    assertFalse(stopped.stderr().contains("retrying"), "no stage was retried into the wall: " + stopped.stderr());

    assertTrue(mountOptions(tmpfs, "-o", "remount,rw", "tmpfs"), "remounting writable");
    // A write under way when the file system turned read-only cannot delete its temporary there:
    // it stays in store/incoming/, the writers' own folder, which 'subspace gc' clears.
    assertNoTornFiles(out, out.resolve("store").resolve("incoming"));
    Run resumed = run(out);
    assertEquals(0, resumed.exitCode(), resumed.stderr());
    TestRuns.assertEveryStageDoneOnce(out, 26);
  }

  /** A fresh tmpfs of the given size option under the test's folder, unmounted after the test. */
  private Path mountTmpfs(String name, String size) throws Exception {
    Path tmpfs = dir.resolve(name);
    Files.createDirectories(tmpfs);
    Assumptions.assumeTrue(mountOptions(tmpfs, "-t", "tmpfs", "-o", size, "tmpfs"), "mounting a tmpfs needs root");
    mount = tmpfs;
    return tmpfs;
  }

  private static boolean mountOptions(Path target, String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of("mount"));
    command.addAll(List.of(options));
    command.add(target.toString());
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** No temporary file, every stored object matches its hash, every manifest and complete log line parses. */
  private static void assertNoTornFiles(Path out) throws Exception {
    assertNoTornFiles(out, null);
  }

  /** The same, but temporaries are allowed in {@code temporariesAllowedIn} (nowhere when null). */
  private static void assertNoTornFiles(Path out, Path temporariesAllowedIn) throws Exception {
    ObjectMapper json = new ObjectMapper();
    try (Stream<Path> files = Files.walk(out)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertTrue(!file.getFileName().toString().endsWith(".tmp") || file.getParent().equals(temporariesAllowedIn),
            "temporary file left: " + file);
        if (file.getParent().getParent().getFileName().toString().equals("objects")) {
          String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
          assertEquals(file.getFileName().toString(), sha, "object content matches its name");
        } else if (file.toString().endsWith(".json")) {
          json.readTree(file.toFile());
        }
      }
    }
    // A torn last line (cut by the full disk) is allowed: the next open drops it.
    String events = Files.readString(out.resolve("events.jsonl"));
    for (String line : events.substring(0, events.lastIndexOf('\n') + 1).split("\n")) {
      json.readTree(line);
    }
    // Every complete results row reads back (a short one would not); the copy is off the full disk.
    String csv = Files.readString(out.resolve("results.csv"));
    Path complete = Files.createTempFile("complete-results", ".csv");
    try {
      Files.writeString(complete, csv.substring(0, csv.lastIndexOf('\n') + 1));
      ResultsCsv.read(complete);
    } finally {
      Files.delete(complete);
    }
  }
}
