package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.runtime.EventLog;
import org.subspace.orchestrator.runtime.ResultRow;
import org.subspace.protocol.vocabulary.Method;

/**
 * The paper's figure grid, shortened: {random, PCA, curve} x {ESS, VI, NUTS} through the sweep
 * machinery. The curve joins two ordinary trainings, which later sweeps reuse.
 */
class ToyAllTest {
  private static final List<String> SHORT = List.of("--quiet", "-D", "orchestrator.metrics.port=0",
      "-D", "training.epochs=300", "-D", "training.swag.start-epoch=200", "-D", "inference.samples=100",
      "-D", "inference.hamiltonian.warmup=50", "-D", "inference.hamiltonian.max-tree-depth=5",
      "-D", "inference.vi.epochs=100");

  @TempDir Path dir;

  private static void run(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("run", "config/sweeps/toy-all.conf", "--out", out.toString()));
    args.addAll(SHORT);
    args.addAll(Arrays.asList(extra));
    StringWriter output = new StringWriter();
    assertEquals(0, SubspaceCommand.execute(new PrintWriter(output, true), new PrintWriter(output, true),
        args.toArray(new String[0])), output.toString());
  }

  private static long done(List<Map<String, Object>> events, String kind) {
    return events.stream().filter(e -> "stage-done".equals(e.get("event")) && kind.equals(e.get("kind"))).count();
  }

  @Test
  void everySubspaceWithEveryMethodRunsAndTheFigureGridIsDrawn() throws IOException {
    Path out = dir.resolve("toy-all");
    run(out);
    List<Map<String, Object>> events = EventLog.read(out.resolve("events.jsonl"));
    assertEquals(3, done(events, "train"), "two trainings (seeds 1 and 2) and one curve fit");
    assertEquals(3, done(events, "subspace"));
    assertEquals(9, done(events, "sample"));
    assertEquals(9, done(events, "evaluate"));
    TestRuns.assertEveryStageDoneOnce(out, 24);

    List<ResultRow> rows = TestRuns.results(out);
    assertEquals(9, rows.size());
    for (ResultRow row : rows) {
      String subspace = row.configuration().subspaceLabel();
      String method = row.method().label();
      String label = subspace + "/" + method;
      assertEquals(ResultRow.Status.OK, row.status(), label);
      assertTrue(row.testLl() > 0.4, label + ": fits the held-out points");
      assertTrue(row.likelihoodEvals() > 0, label + " reports its cost");
      if (row.method() != Method.ESS) {
        assertTrue(row.gradientEvals() > 0, label + " reports its gradients");
      }
      // Uncertainty grows away from the data in every subspace and method.
      List<String> curve = Files.readAllLines(out.resolve(
          "predictive-toy-split-held-out-seed1-" + subspace + "-r2-" + method + "-T1.5.csv"));
      double farLeft = Double.parseDouble(curve.get(1).split(",")[2]);
      double nearZero = Double.parseDouble(curve.get(50).split(",")[2]);
      assertTrue(farLeft > 3 * nearZero, label + ": std at x = -10 " + farLeft + " vs near 0 " + nearZero);
    }
    BufferedImage grid = ImageIO.read(out.resolve("predictive-grid.png").toFile());
    assertTrue(grid.getWidth() > 3 * 500 && grid.getHeight() > 3 * 300, "a 3 x 3 grid of plots");

    // A second seed: its curve ends at a new training (seed 3); trainings 1 and 2 are reused.
    run(out, "-D", "sweep.seeds=[1,2]");
    List<Map<String, Object>> second = EventLog.read(out.resolve("events.jsonl"));
    assertEquals(3 + 2, done(second, "train"), "only the training of seed 3 and the curve 2-3 ran");
  }
}
