package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.runtime.OutputLock;

/**
 * Two sweeps on one output folder: while one runs (in a child JVM), a second is refused with
 * exit 2, naming the first; once the first is SIGKILLed, its lock is recognised as left behind
 * and taken over.
 */
class OutputLockTest {
  private static final String SWEEP = "config/sweeps/toy-regression.conf";

  @TempDir Path dir;

  private static int run(Path out, StringWriter output, String... settings) {
    List<String> args = new ArrayList<>(List.of("run", SWEEP, "--out", out.toString(), "--quiet",
        "-D", "orchestrator.metrics.enabled=false"));
    for (String setting : settings) {
      args.addAll(List.of("-D", setting));
    }
    return SubspaceCommand.execute(new PrintWriter(output, true), new PrintWriter(output, true),
        args.toArray(new String[0]));
  }

  @Test
  void aSecondSweepOnTheSameFolderIsRefusedAndAKilledOnesLockIsTakenOver() throws Exception {
    Path out = dir.resolve("out");
    // The main job as bundled: it trains for far longer than this test waits.
    Process first = TestRuns.child(dir.resolve("first.log"), List.of("run", SWEEP, "--out", out.toString(), "--quiet",
        "-D", "orchestrator.metrics.enabled=false"));
    try {
      Path lock = out.resolve(OutputLock.FILE);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!(Files.exists(lock) && Files.size(lock) > 0) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(Files.size(lock) > 0, "the first sweep took the lock: " + Files.readString(dir.resolve("first.log")));

      StringWriter refused = new StringWriter();
      assertEquals(SubspaceCommand.EXIT_BAD_INPUT, run(out, refused), refused.toString());
      assertTrue(refused.toString().contains(out + " is in use by another sweep (pid " + first.pid() + " on host "),
          refused.toString());
      assertEquals(1, refused.toString().strip().lines().count(), "one line: " + refused);
      assertTrue(first.isAlive(), "the refused sweep left the running one alone");
    } finally {
      first.destroyForcibly();
      first.waitFor(30, TimeUnit.SECONDS);
    }

    // A short sweep of its own in the same folder: the dead sweep's lock is taken over.
    StringWriter resumed = new StringWriter();
    assertEquals(0, run(out, resumed, "training.epochs=60", "training.swag.start-epoch=40", "inference.samples=20"),
        resumed.toString());
    assertTrue(resumed.toString().contains("was left locked by a sweep that ended without releasing it (pid "
        + first.pid() + " on host "), resumed.toString());
    assertEquals(0, Files.size(out.resolve(OutputLock.FILE)), "released cleanly at the end");
  }
}
