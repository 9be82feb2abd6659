package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
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
import org.subspace.orchestrator.runtime.ResultRow;
import org.subspace.protocol.tensor.Npy;
import org.subspace.protocol.tensor.Tensor;

/**
 * The bundled toy sweep, shortened (1000 epochs, SWAG from 700, 300 samples), through the
 * command line: the outputs exist and the predictive uncertainty has the paper's shape.
 */
class ToyRegressionEndToEndTest {
  /** Shortened, with the metrics on any free port so that other sweeps on this machine do not collide. */
  private static final String[] SHORT = {
    "-D", "training.epochs=1000", "-D", "training.swag.start-epoch=700", "-D", "inference.samples=300",
    "-D", "orchestrator.metrics.port=0"
  };

  @TempDir Path dir;

  private static int run(Path out, StringWriter stdout) {
    List<String> args = new ArrayList<>(List.of("run", "config/sweeps/toy-regression.conf", "--out", out.toString()));
    args.addAll(Arrays.asList(SHORT));
    return SubspaceCommand.execute(new PrintWriter(stdout, true), new PrintWriter(new StringWriter(), true),
        args.toArray(new String[0]));
  }

  /** The std column of predictive.csv at the grid point nearest x. */
  private static double stdNear(List<String[]> grid, double x) {
    String[] best = grid.get(0);
    for (String[] row : grid) {
      if (Math.abs(Double.parseDouble(row[0]) - x) < Math.abs(Double.parseDouble(best[0]) - x)) {
        best = row;
      }
    }
    return Double.parseDouble(best[2]);
  }

  @Test
  void uncertaintyIsSmallOnTheClustersAndGrowsBetweenAndBeyondThem() throws IOException {
    Path out = dir.resolve("toy");
    StringWriter stdout = new StringWriter();
    assertEquals(0, run(out, stdout), stdout.toString());

    List<ResultRow> results = TestRuns.results(out);
    assertEquals(1, results.size());
    ResultRow row = results.get(0);
    assertEquals(ResultRow.Status.OK, row.status());
    assertEquals(10, row.rank());
    assertEquals(1.5, row.temperature());
    // Held-out noise has std 0.05, so a good fit has RMSE near 0.05.
    assertEquals(0.05, row.rmse(), 0.01);

    List<String> lines = Files.readAllLines(out.resolve("predictive.csv"));
    assertEquals("x,mean,std,std_with_noise", lines.get(0));
    List<String[]> grid = lines.subList(1, lines.size()).stream().map(l -> l.split(",")).toList();
    assertEquals(100, grid.size());
    double inside = stdNear(grid, 0.0);
    for (double between : new double[] {-3, 3}) {
      assertTrue(stdNear(grid, between) >= 2 * inside,
          String.format("std at %s (%.4f) at least 2x that at 0 (%.4f)", between, stdNear(grid, between), inside));
    }
    for (double beyond : new double[] {-9, 9}) {
      assertTrue(stdNear(grid, beyond) >= 3 * inside,
          String.format("std at %s (%.4f) at least 3x that at 0 (%.4f)", beyond, stdNear(grid, beyond), inside));
    }
    Path samples = out.resolve("samples/toy-split-held-out-seed1-pca-r10-ess-T1.5.npz");
    try (InputStream in = Files.newInputStream(samples)) {
      Map<String, Tensor> tensors = Npy.readNpz(in);
      assertArrayEquals(new long[] {300, 10}, tensors.get("z").shape(), "every kept sample, rank 10");
      assertArrayEquals(new long[] {300, 200}, tensors.get("pred_mean").shape(), "per-sample predictions kept");
      assertArrayEquals(new long[] {200}, tensors.get("y").shape());
    }
    BufferedImage png = ImageIO.read(out.resolve("predictive.png").toFile());
    assertTrue(png.getWidth() >= 800 && png.getHeight() >= 400, "a readable plot");
    assertTrue(stdout.toString().contains("predictive std"), stdout.toString());
  }

  @Test
  void theSameSeedGivesTheSameNumbers() throws IOException {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    assertEquals(0, run(first, new StringWriter()));
    assertEquals(0, run(second, new StringWriter()));
    assertEquals(Files.readAllLines(first.resolve("predictive.csv")), Files.readAllLines(second.resolve("predictive.csv")));
    assertEquals(TestRuns.resultsWithoutTimings(first), TestRuns.resultsWithoutTimings(second));
  }
}
