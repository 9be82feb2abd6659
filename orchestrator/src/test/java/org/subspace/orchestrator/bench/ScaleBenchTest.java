package org.subspace.orchestrator.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scale benchmark's core once, small: every stage runs once and the figures are sane. Not a timed test. */
class ScaleBenchTest {
  @TempDir Path dir;

  @Test
  void aSmallSweepRunsEveryStageOnceAndReportsFiniteFigures() throws Exception {
    ScaleBench bench = new ScaleBench(dir, new PrintWriter(new StringWriter()), 2);
    ScaleBench.Row row = bench.sweep(ScaleBench.temperaturesFor(102));
    assertEquals(102, row.stages());
    assertEquals(50, row.configurations());
    assertEquals(row.configurations(), row.rows());
    assertEquals(row.stages(), row.started(), "each stage started once");
    assertEquals(row.stages(), row.done(), "each stage done once");
    for (double figure : new double[] {row.loadSeconds(), row.planSeconds(), row.sweepSeconds(),
        row.medianSchedulingMillis(), row.p90SchedulingMillis()}) {
      assertTrue(Double.isFinite(figure) && figure >= 0, row.toString());
    }
    assertTrue(row.medianSchedulingMillis() <= row.p90SchedulingMillis(), row.toString());
    assertTrue(row.supervisorMicrosPerStage() > 0, "the supervisor's threads were found: " + row);
    assertTrue(row.processMicrosPerStage() >= row.supervisorMicrosPerStage(), row.toString());
    try (var left = Files.list(dir)) {
      assertEquals(0, left.count(), "the sweep's folder is deleted");
    }
    List<String> summary = ScaleBench.summary(List.of(row));
    assertTrue(summary.get(summary.size() - 1).startsWith("every stage started and finished once"), summary.toString());
  }
}
