package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.workers.eval.ConvergenceDiagnostics;

/**
 * Our convergence diagnostics against the installed ArviZ on the same arrays: well-mixed,
 * autocorrelated, one chain shifted, heavy-tailed, with ties, with a constant chain, constant
 * throughout, and an odd number of draws. They agree to 1e-6 relative (NaN with NaN). Without
 * ArviZ the test fails: `.ci/run` installs it.
 */
class ArvizAgreementTest {
  @TempDir Path dir;

  private static final String SCRIPT = String.join("\n",
      "import sys, warnings",
      "warnings.simplefilter('ignore')",
      "import numpy as np, arviz as az",
      "for path in sys.argv[1:]:",
      "    x = np.loadtxt(path, ndmin=2)",
      "    values = [az.rhat(x), az.ess(x, method='bulk'), az.ess(x, method='tail'),",
      "              az.ess(x, method='mean'), az.mcse(x, method='mean')]",
      "    print(' '.join(repr(float(v)) for v in values))");

  private static final List<String> NAMES = List.of("rhat", "ess_bulk", "ess_tail", "ess_mean", "mcse_mean");
  private static final List<ToDoubleFunction<double[][]>> OURS = List.of(ConvergenceDiagnostics::rhat,
      ConvergenceDiagnostics::essBulk, ConvergenceDiagnostics::essTail, ConvergenceDiagnostics::essMean,
      ConvergenceDiagnostics::mcseMean);

  /** The test arrays, chains by draws, from fixed seeds. */
  private static Map<String, double[][]> cases() {
    Map<String, double[][]> cases = new LinkedHashMap<>();
    cases.put("well-mixed", normal(4, 500, 1));
    double[][] ar = new double[4][1000];
    Random random = new Random(2);
    for (double[] chain : ar) {
      for (int i = 1; i < chain.length; i++) {
        chain[i] = 0.9 * chain[i - 1] + random.nextGaussian();
      }
    }
    cases.put("autocorrelated", ar);
    double[][] shifted = normal(4, 300, 3);
    for (int i = 0; i < shifted[3].length; i++) {
      shifted[3][i] += 2;
    }
    cases.put("one chain shifted", shifted);
    double[][] cauchy = new double[4][400];
    random = new Random(4);
    for (double[] chain : cauchy) {
      for (int i = 0; i < chain.length; i++) {
        chain[i] = Math.tan(Math.PI * (random.nextDouble() - 0.5));
      }
    }
    cases.put("heavy-tailed", cauchy);
    double[][] ties = normal(3, 200, 5);
    for (double[] chain : ties) {
      for (int i = 0; i < chain.length; i++) {
        chain[i] = Math.round(2 * chain[i]);
      }
    }
    cases.put("ties", ties);
    double[][] oneConstant = normal(4, 200, 6);
    java.util.Arrays.fill(oneConstant[2], 0.5);
    cases.put("one constant chain", oneConstant);
    double[][] constant = new double[4][100];
    for (double[] chain : constant) {
      java.util.Arrays.fill(chain, 1.25);
    }
    cases.put("constant", constant);
    cases.put("odd draws", normal(2, 101, 7));
    return cases;
  }

  private static double[][] normal(int chains, int draws, long seed) {
    Random random = new Random(seed);
    double[][] x = new double[chains][draws];
    for (double[] chain : x) {
      for (int i = 0; i < draws; i++) {
        chain[i] = random.nextGaussian();
      }
    }
    return x;
  }

  @Test
  void rhatEssAndMcseAgreeWithArviz() throws Exception {
    Map<String, double[][]> cases = cases();
    List<String> command = new ArrayList<>(List.of("python3", "-c", SCRIPT));
    for (Map.Entry<String, double[][]> c : cases.entrySet()) {
      Path file = dir.resolve(c.getKey().replace(' ', '-') + ".txt");
      StringBuilder text = new StringBuilder();
      for (double[] chain : c.getValue()) {
        for (double v : chain) {
          text.append(Double.toString(v)).append(' ');
        }
        text.append('\n');
      }
      Files.writeString(file, text);
      command.add(file.toString());
    }
    Process python = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(python.waitFor(120, TimeUnit.SECONDS), "python finished");
    assertEquals(0, python.exitValue(), "ArviZ must be importable (.ci/run installs it): " + output);
    List<String> lines = output.lines().toList();
    assertEquals(cases.size(), lines.size(), output);
    int k = 0;
    for (Map.Entry<String, double[][]> c : cases.entrySet()) {
      String[] theirs = lines.get(k++).split(" ");
      for (int m = 0; m < NAMES.size(); m++) {
        double expected = Double.parseDouble(theirs[m].replace("nan", "NaN"));
        double actual = OURS.get(m).applyAsDouble(c.getValue());
        String what = String.format(Locale.ROOT, "%s of %s: ours %.12g, ArviZ %.12g", NAMES.get(m), c.getKey(),
            actual, expected);
        if (Double.isNaN(expected)) {
          assertTrue(Double.isNaN(actual), what);
        } else {
          assertEquals(expected, actual, 1e-6 * Math.abs(expected), what);
        }
      }
    }
  }
}
