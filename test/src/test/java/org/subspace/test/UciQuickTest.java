package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.protocol.vocabulary.Method;

/**
 * A quick version of {@code subspace bench uci}: boston split 1 with 60 epochs, all four
 * methods from one training, the table files, and ESS against a deliberately bad temperature.
 */
class UciQuickTest {
  @TempDir Path dir;

  @Test
  void theFourMethodsComeFromOneTrainingAndTheTableIsWritten() throws IOException {
    Path out = dir.resolve("uci");
    StringWriter output = new StringWriter();
    int code = SubspaceCommand.execute(new PrintWriter(output, true), new PrintWriter(output, true),
        "bench", "uci", "--datasets", "boston", "--splits", "1", "--out", out.toString(),
        "-D", "dataset-catalog.boston.training.epochs=60", "-D", "dataset-catalog.boston.training.swag.start-epoch=30",
        "-D", "dataset-catalog.boston.inference.temperatures=[0.1,1000000]", "-D", "inference.prior-std=100",
        "-D", "inference.vi.epochs=10", "-D", "orchestrator.metrics.port=0");
    assertEquals(0, code, output.toString());

    Map<String, Double> ll = new HashMap<>();
    for (var row : TestRuns.results(out)) {
      assertTrue(Double.isFinite(row.testLl()) && Double.isFinite(row.rmse()), row.toString());
      ll.put(row.method().label() + "@" + (Double.isNaN(row.temperature()) ? "" : row.temperature()), row.testLl());
    }
    // The catalog gives boston VI its own temperature, 0.01.
    assertEquals(Map.of("sgd@", 0, "swag@", 0, "ess@0.1", 0, "ess@1000000.0", 0, "vi@0.01", 0)
        .keySet(), ll.keySet());
    // At T = 1e6 the likelihood is all but ignored and the chain wanders over a N(0, 100^2) prior;
    // at T = 0.1 the data pin the chain down whatever the prior.
    assertTrue(ll.get("ess@0.1") > ll.get("ess@1000000.0") + 0.5,
        "ESS at the paper's temperature beats a deliberately bad one: " + ll);
    long trainings = Files.readAllLines(out.resolve("events.jsonl")).stream()
        .filter(l -> l.contains("\"stage-done\"") && l.contains("\"kind\":\"train\"")).count();
    assertEquals(1, trainings, "one training feeds every method");

    String table = Files.readString(out.resolve("uci_table.md"));
    for (String method : List.of("PCA+ESS", "PCA+VI", "SGD", "SWAG")) {
      assertTrue(table.contains("| boston | " + method + " |"), table);
    }
    assertTrue(table.contains("-2.719 +- 0.132"), "the paper's PCA+ESS number stands beside ours");
    assertEquals(1 + 5, Files.readAllLines(out.resolve("uci_table.csv")).size(), "a header and five method lines");
  }

  @Test
  void temperaturesGivenPerTrainingRowResolveToNumbers() {
    SweepSpec spec = new SweepConfigLoader().load(Path.of("config/sweeps/uci.conf"),
        Map.of("datasets", "[yacht, boston]"));
    SweepSpec.Experiment yacht = spec.experiments().get(0);
    // Yacht has 308 rows, 277 of them train: the paper's T = N_train / 20.
    assertEquals(List.of(277 / 20.0), yacht.temperatures().get(Method.ESS));
    assertEquals(List.of(277 / 20.0), yacht.temperatures().get(Method.VI));
    SweepSpec.Experiment boston = spec.experiments().get(1);
    assertEquals(List.of(0.1), boston.temperatures().get(Method.ESS));
    assertEquals(List.of(0.01), boston.temperatures().get(Method.VI));
    assertEquals(300, boston.training().epochs());
    assertEquals(20, boston.splits().size());
    assertEquals(20 * 4, boston.configurations());
  }
}
