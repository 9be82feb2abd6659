package org.subspace.workers.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.subspace.workers.random.Rng;

/**
 * ESS against a Bayesian linear regression, whose tempered posterior is Gaussian in closed
 * form: precision {@code X^T X / (sigma^2 T) + I / tau^2}, mean {@code Sigma X^T y / (sigma^2 T)}.
 * Tolerances come from the chain itself: Monte Carlo standard errors by batch means.
 */
class EllipticalSliceSamplerTest {
  private static final int D = 3;
  private static final int N = 40;
  private static final double NOISE = 0.7;
  private static final double PRIOR_STD = 2.0;
  private static final int SAMPLES = 40_000;
  private static final double Z = MonteCarlo.Z;

  private final double[][] x = new double[N][D];
  private final double[] y = new double[N];

  EllipticalSliceSamplerTest() {
    Rng rng = new Rng(2024);
    double[] beta = {1.0, -0.5, 0.3};
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < D; j++) {
        x[i][j] = rng.nextGaussian();
        y[i] += x[i][j] * beta[j];
      }
      y[i] += NOISE * rng.nextGaussian();
    }
  }

  private double logLikelihood(double[] b) {
    double s = 0;
    for (int i = 0; i < N; i++) {
      double r = y[i];
      for (int j = 0; j < D; j++) {
        r -= x[i][j] * b[j];
      }
      s += -0.5 * r * r / (NOISE * NOISE) - 0.5 * Math.log(2 * Math.PI * NOISE * NOISE);
    }
    return s;
  }

  /** Exact posterior mean and covariance at temperature t. */
  private double[][] exactPosterior(double t) {
    double[][] precision = new double[D][D];
    double[] rhs = new double[D];
    for (int a = 0; a < D; a++) {
      for (int b = 0; b < D; b++) {
        for (int i = 0; i < N; i++) {
          precision[a][b] += x[i][a] * x[i][b] / (NOISE * NOISE * t);
        }
      }
      precision[a][a] += 1 / (PRIOR_STD * PRIOR_STD);
      for (int i = 0; i < N; i++) {
        rhs[a] += x[i][a] * y[i] / (NOISE * NOISE * t);
      }
    }
    double[][] covariance = invert(precision);
    double[][] result = new double[D + 1][D];
    for (int a = 0; a < D; a++) {
      for (int b = 0; b < D; b++) {
        result[0][a] += covariance[a][b] * rhs[b];
      }
      System.arraycopy(covariance[a], 0, result[a + 1], 0, D);
    }
    return result;
  }

  private static double[][] invert(double[][] m) {
    int n = m.length;
    double[][] a = new double[n][2 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(m[i], 0, a[i], 0, n);
      a[i][n + i] = 1;
    }
    for (int c = 0; c < n; c++) {
      double pivot = a[c][c];
      for (int j = 0; j < 2 * n; j++) {
        a[c][j] /= pivot;
      }
      for (int r = 0; r < n; r++) {
        if (r != c) {
          double f = a[r][c];
          for (int j = 0; j < 2 * n; j++) {
            a[r][j] -= f * a[c][j];
          }
        }
      }
    }
    double[][] inverse = new double[n][n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], n, inverse[i], 0, n);
    }
    return inverse;
  }

  private List<double[]> sample(double temperature, long seed) {
    EllipticalSliceSampler sampler = new EllipticalSliceSampler(
        new EllipticalSliceSampler.Settings(SAMPLES, 200, 1, PRIOR_STD, temperature));
    return sampler.run(sampler.start(new double[D], seed, this::logLikelihood), this::logLikelihood, null).samples();
  }

  @ParameterizedTest(name = "T = {0}")
  @ValueSource(doubles = {1.0, 4.0})
  void recoversTheMeanAndCovarianceOfAGaussianPosterior(double temperature) {
    double[][] exact = exactPosterior(temperature);
    List<double[]> samples = sample(temperature, 17);
    for (int a = 0; a < D; a++) {
      final int i = a;
      double[] mean = MonteCarlo.meanAndError(samples.stream().mapToDouble(z -> z[i]).toArray());
      double sd = Math.sqrt(exact[a + 1][a]);
      assertTrue(mean[1] < 0.05 * sd, "the test is sharp enough: MCSE " + mean[1] + " vs sd " + sd);
      assertEquals(exact[0][a], mean[0], Z * mean[1], "posterior mean " + a);
      for (int b = 0; b <= a; b++) {
        final int j = b;
        double[] cov = MonteCarlo.meanAndError(samples.stream()
            .mapToDouble(z -> (z[i] - exact[0][i]) * (z[j] - exact[0][j])).toArray());
        assertEquals(exact[a + 1][b], cov[0], Z * cov[1], "posterior covariance " + a + "," + b);
      }
    }
  }

  @Test
  void temperatureScalesThePosteriorSpreadAsTheoryPredicts() {
    double exactRatio = trace(exactPosterior(4.0)) / trace(exactPosterior(1.0));
    assertTrue(exactRatio > 3.5, "the prior is weak, so the spread grows almost 4x: " + exactRatio);
    double sampledRatio = sampledTrace(sample(4.0, 5)) / sampledTrace(sample(1.0, 5));
    // Each trace has a relative error of a few percent at this many samples.
    assertEquals(exactRatio, sampledRatio, 0.1 * exactRatio);
  }

  private static double trace(double[][] posterior) {
    double t = 0;
    for (int a = 0; a < D; a++) {
      t += posterior[a + 1][a];
    }
    return t;
  }

  private static double sampledTrace(List<double[]> samples) {
    double t = 0;
    for (int a = 0; a < D; a++) {
      final int i = a;
      double mean = samples.stream().mapToDouble(z -> z[i]).average().orElseThrow();
      t += samples.stream().mapToDouble(z -> (z[i] - mean) * (z[i] - mean)).average().orElseThrow();
    }
    return t;
  }

  @Test
  void resumingFromACheckpointIsBitIdentical() {
    EllipticalSliceSampler sampler = new EllipticalSliceSampler(new EllipticalSliceSampler.Settings(50, 10, 2, 1.5, 2.0));
    EllipticalSliceSampler.Chain start = sampler.start(new double[D], 99, this::logLikelihood);
    EllipticalSliceSampler.Chain[] checkpoint = new EllipticalSliceSampler.Chain[1];
    EllipticalSliceSampler.Chain straight = sampler.run(start, this::logLikelihood, (state, kept, keptLl) -> {
      if (state.iterations() == 37) {
        checkpoint[0] = new EllipticalSliceSampler.Chain(state, kept, keptLl);
      }
    });
    assertEquals(13, checkpoint[0].samples().size(), "(37 - 10 burn-in) / thin 2 samples kept at the checkpoint");
    EllipticalSliceSampler.Chain resumed = sampler.run(checkpoint[0], this::logLikelihood, null);
    assertEquals(110, straight.state().iterations());
    assertEquals(50, straight.samples().size());
    assertEquals(straight.state().likelihoodEvaluations(), resumed.state().likelihoodEvaluations());
    for (int s = 0; s < 50; s++) {
      assertArrayEquals(straight.samples().get(s), resumed.samples().get(s));
    }
  }

  @Test
  void aNonFiniteLogLikelihoodAtTheChainsPointFailsInsteadOfLoopingForever() {
    EllipticalSliceSampler sampler = new EllipticalSliceSampler(new EllipticalSliceSampler.Settings(10, 0, 1, 1.0, 1.0));
    for (double bad : new double[] {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}) {
      IllegalStateException atStart = assertThrows(IllegalStateException.class,
          () -> sampler.start(new double[D], 1, z -> bad));
      assertTrue(atStart.getMessage().contains("the log-likelihood is " + bad), atStart.getMessage());
    }
    // Finite only within 1e-6 of the start, NaN beyond: proposals out there never land, and the
    // bracket shrinks towards the current point (always on the slice), so every draw ends near it.
    EllipticalSliceSampler.Chain start = sampler.start(new double[D], 1, z -> 0.0);
    EllipticalSliceSampler.Chain stuck = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> sampler.run(start,
        z -> Arrays.stream(z).allMatch(v -> Math.abs(v) < 1e-6) ? 0.0 : Double.NaN, null));
    assertEquals(10, stuck.samples().size());
    assertTrue(stuck.samples().stream().allMatch(z -> Arrays.stream(z).allMatch(v -> Math.abs(v) < 1e-6)));
    // A log-likelihood that is no function of z at all: bounded shrinks, then a clear error.
    Rng noise = new Rng(5);
    IllegalStateException random = assertThrows(IllegalStateException.class, () -> assertTimeoutPreemptively(
        Duration.ofSeconds(10), () -> sampler.run(start, z -> noise.nextDouble() < 0.999 ? -1e9 : 0.0, null)));
    assertTrue(random.getMessage().contains("after " + EllipticalSliceSampler.MAX_SHRINKS + " shrinks"),
        random.getMessage());
  }
}
