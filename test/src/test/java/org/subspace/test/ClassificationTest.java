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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.runtime.ResultRow;
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

  @Test
  void theDigitsSweepScoresEveryMethodWithAccuracyNllEceAndBrier() throws IOException {
    Path out = dir.resolve("digits");
    Run run = run(out, "config/sweeps/digits.conf", "-D", "training.epochs=6", "-D", "training.swag.start-epoch=3",
        "-D", "subspace.ranks=[2]", "-D", "inference.temperatures=[100]", "-D", "inference.samples=20", "-D", "inference.burn-in=0",
        "-D", "evaluation.draws=5", "-D", "inference.vi.epochs=2");
    assertEquals(0, run.exitCode(), run.output());
    List<ResultRow> rows = TestRuns.results(out);
    assertEquals(4, rows.size(), "sgd, swag, ess, vi");
    for (ResultRow row : rows) {
      String method = row.method().label();
      assertEquals(ResultRow.Status.OK, row.status(), method);
      assertTrue(row.accuracy() > 0.9, method + " accuracy " + row.accuracy());
      assertEquals(-row.nll(), row.testLl(), 1e-12);
      double ece = row.ece();
      double brier = row.brier();
      assertTrue(ece >= 0 && ece < 0.1 && brier > 0 && brier < 0.2, method + " ece " + ece + " brier " + brier);
      assertTrue(Double.isNaN(row.rmse()), "no RMSE for a classifier");
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
    List<ResultRow> rows = TestRuns.results(dir.resolve("cifar-out"));
    assertEquals(2, rows.size());
    rows.forEach(row -> assertEquals(12L, row.evalPoints(), "the test batch's 12 images"));
  }

  @Test
  void aGpuSlotOnACpuOnlyEngineFailsWithAClearReason() throws IOException {
    Path out = dir.resolve("gpu");
    Run run = run(out, "config/sweeps/digits.conf", "-D", "training.epochs=3", "-D", "training.swag.start-epoch=1",
        "-D", "subspace.ranks=[2]", "-D", "inference.methods=[sgd]", "-D", "orchestrator.gpus=[0]", "-D", "orchestrator.gpu-stages=[train]",
        "-D", "orchestrator.max-attempts=1");
    assertEquals(1, run.exitCode(), run.output());
    String error = TestRuns.results(out).get(0).error();
    assertTrue(error.contains("the stage was given GPU 0 but the PyTorch engine sees 0 GPU(s)"), error);
  }
}
