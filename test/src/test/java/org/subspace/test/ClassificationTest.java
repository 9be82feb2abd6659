package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.workers.random.Rng;

/**
 * Classifiers through the whole sweep machinery: the digits sweep shortened, a CIFAR-format
 * folder written here (random pixels, augmentation on), and a GPU slot on a CPU-only engine.
 */
class ClassificationTest {
  @TempDir Path dir;

  private record Run(int exitCode, String output) {}

  private static Run run(Path out, String sweep, String... extra) {
    List<String> args = new ArrayList<>(List.of("run", sweep, "--out", out.toString(), "--quiet",
        "-D", "orchestrator.metrics.port=0"));
    args.addAll(Arrays.asList(extra));
    StringWriter output = new StringWriter();
    int code = SubspaceCommand.execute(new PrintWriter(output, true), new PrintWriter(output, true),
        args.toArray(new String[0]));
    return new Run(code, output.toString());
  }

  private static List<Map<String, String>> results(Path out) throws IOException {
    List<String> lines = Files.readAllLines(out.resolve("results.csv"));
    String[] header = lines.get(0).split(",");
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      Map<String, String> row = new HashMap<>();
      for (int i = 0; i < header.length; i++) {
        row.put(header[i], cells[i]);
      }
      rows.add(row);
    }
    return rows;
  }

  @Test
  void theDigitsSweepScoresEveryMethodWithAccuracyNllEceAndBrier() throws IOException {
    Path out = dir.resolve("digits");
    Run run = run(out, "config/sweeps/digits.conf", "-D", "training.epochs=6", "-D", "training.swag.start-epoch=3",
        "-D", "subspace.ranks=[2]", "-D", "inference.temperatures=[100]", "-D", "inference.samples=20", "-D", "inference.burn-in=0",
        "-D", "evaluation.draws=5", "-D", "inference.vi.epochs=2");
    assertEquals(0, run.exitCode(), run.output());
    List<Map<String, String>> rows = results(out);
    assertEquals(4, rows.size(), "sgd, swag, ess, vi");
    for (Map<String, String> row : rows) {
      String method = row.get("method");
      assertEquals("ok", row.get("status"), method);
      double accuracy = Double.parseDouble(row.get("accuracy"));
      assertTrue(accuracy > 0.9, method + " accuracy " + accuracy);
      assertEquals(-Double.parseDouble(row.get("nll")), Double.parseDouble(row.get("test_ll")), 1e-12);
      double ece = Double.parseDouble(row.get("ece"));
      double brier = Double.parseDouble(row.get("brier"));
      assertTrue(ece >= 0 && ece < 0.1 && brier > 0 && brier < 0.2, method + " ece " + ece + " brier " + brier);
      assertEquals("", row.get("rmse"));
    }
    assertTrue(run.output().contains("accuracy"), "the summary shows accuracy");
    String report = Files.readString(out.resolve("report.html"));
    assertTrue(report.contains("Reliability") && report.contains("<th>ece</th>"), "classification report");
  }

  /** A CIFAR-10 folder in the binary batch format: 5 training batches and a test batch of random images. */
  @Test
  void aCifarFolderTrainsWithAugmentationAndSamples() throws IOException {
    Path cifar = dir.resolve("cifar");
    Files.createDirectories(cifar);
    Rng rng = new Rng(6);
    for (String name : List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5",
        "test_batch")) {
      byte[] bytes = new byte[12 * 3073];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (i % 3073 == 0 ? rng.nextInt(10) : rng.nextInt(256));
      }
      Files.write(cifar.resolve(name + ".bin"), bytes);
    }
    Path sweep = dir.resolve("cifar.conf");
    Files.writeString(sweep, "include \"" + Path.of("config/sweeps/digits.conf").toAbsolutePath() + "\"\n"
        + "data { name = cifar, path = \"" + cifar + "\", images { format = cifar10, augment = true } }\n"
        + "training { epochs = 3, batch-size = 12, swag.start-epoch = 1 }\nsubspace.ranks = [2]\n"
        + "inference { methods = [sgd, ess], temperatures = [10], samples = 5, burn-in = 0 }\n"
        + "evaluation.draws = 3\n");
    Run run = run(dir.resolve("cifar-out"), sweep.toString());
    assertEquals(0, run.exitCode(), run.output());
    List<Map<String, String>> rows = results(dir.resolve("cifar-out"));
    assertEquals(2, rows.size());
    rows.forEach(row -> assertEquals("12", row.get("eval_points"), "the test batch's 12 images"));
  }

  @Test
  void aGpuSlotOnACpuOnlyEngineFailsWithAClearReason() throws IOException {
    Path out = dir.resolve("gpu");
    Run run = run(out, "config/sweeps/digits.conf", "-D", "training.epochs=3", "-D", "training.swag.start-epoch=1",
        "-D", "subspace.ranks=[2]", "-D", "inference.methods=[sgd]", "-D", "orchestrator.gpus=[0]", "-D", "orchestrator.gpu-stages=[train]",
        "-D", "orchestrator.max-attempts=1");
    assertEquals(1, run.exitCode(), run.output());
    String error = results(out).get(0).get("error");
    assertTrue(error.contains("the stage was given GPU 0 but the PyTorch engine sees 0 GPU(s)"), error);
  }
}
