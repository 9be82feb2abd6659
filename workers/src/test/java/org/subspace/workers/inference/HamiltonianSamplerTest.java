package org.subspace.workers.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.subspace.workers.inference.HamiltonianSampler.Kind;
import org.subspace.workers.random.Rng;

/**
 * HMC and NUTS against targets whose moments are known in closed form, with tolerances of
 * {@link MonteCarlo#Z} Monte Carlo standard errors (batch means, so the chains' effective sample
 * sizes set them), and a direct check of detailed balance on a skewed 1-D target.
 */
class HamiltonianSamplerTest {
  /** A correlated 3-D Gaussian z = MU + L eps: covariance L L^T, correlation 0.9 and scales 0.47 to 3. */
  private static final double[] MU = {1.0, -2.0, 0.5};
  private static final double[][] L = {{1.0, 0, 0}, {2.7, 1.3, 0}, {-0.15, 0.2, 0.4}};
  /**
   * The banana's curvature grows with z1^2, so any fixed step size diverges far enough out;
   * b = 0.5 and a target acceptance of 0.95 keep that region's mass negligible.
   */
  private static final double BANANA = 0.5;

  private static HamiltonianSampler.Chain run(Kind kind, LogDensity target, int dimension, double acceptance,
      long seed) {
    HamiltonianSampler.Settings settings = new HamiltonianSampler.Settings(kind, 20_000, 1000, acceptance, 20, 10);
    return new HamiltonianSampler(settings, target).run(new double[dimension], seed, null);
  }

  /** log N(z; MU, L L^T) up to a constant, by solving L u = z - MU then L^T g = u (g = -gradient). */
  private static double gaussian(double[] z, double[] gradient) {
    int d = MU.length;
    double[] u = new double[d];
    double value = 0;
    for (int i = 0; i < d; i++) {
      double s = z[i] - MU[i];
      for (int j = 0; j < i; j++) {
        s -= L[i][j] * u[j];
      }
      u[i] = s / L[i][i];
      value -= 0.5 * u[i] * u[i];
    }
    for (int i = d - 1; i >= 0; i--) {
      double s = u[i];
      for (int j = i + 1; j < d; j++) {
        s -= L[j][i] * -gradient[j];
      }
      gradient[i] = -s / L[i][i];
    }
    return value;
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void recoversTheMeanAndCovarianceOfACorrelatedGaussian(Kind kind) {
    HamiltonianSampler.Chain chain = run(kind, HamiltonianSamplerTest::gaussian, 3, 0.8, 7);
    assertEquals(20_000, chain.samples().size());
    for (int a = 0; a < 3; a++) {
      int i = a;
      double variance = 0;
      for (int k = 0; k < 3; k++) {
        variance += L[a][k] * L[a][k];
      }
      double[] mean = moment(chain.samples(), z -> z[i]);
      assertTrue(mean[1] < 0.05 * Math.sqrt(variance), "the test is sharp enough: MCSE " + mean[1]);
      assertEquals(MU[a], mean[0], MonteCarlo.Z * mean[1], kind + " mean " + a);
      for (int b = 0; b <= a; b++) {
        int j = b;
        double covariance = 0;
        for (int k = 0; k < 3; k++) {
          covariance += L[a][k] * L[b][k];
        }
        double[] sampled = moment(chain.samples(), z -> (z[i] - MU[i]) * (z[j] - MU[j]));
        assertEquals(covariance, sampled[0], MonteCarlo.Z * sampled[1], kind + " covariance " + a + "," + b);
      }
    }
    assertTrue(chain.meanAcceptance() > 0.6, kind + " adapted towards 0.8: " + chain.meanAcceptance());
    assertEquals(0, chain.divergences());
  }

  /**
   * z1 ~ N(0, 1), z2 | z1 ~ N(b (z1^2 - 1), 1): E z2 = 0, Var z2 = 1 + 2 b^2 and
   * E[z1^2 z2] = b (E z1^4 - E z1^2) = 2 b, the moment that sees the curvature.
   */
  @ParameterizedTest
  @EnumSource(Kind.class)
  void recoversTheMomentsOfABanana(Kind kind) {
    LogDensity banana = (z, gradient) -> {
      double r = z[1] - BANANA * (z[0] * z[0] - 1);
      gradient[0] = -z[0] + r * 2 * BANANA * z[0];
      gradient[1] = -r;
      return -0.5 * z[0] * z[0] - 0.5 * r * r;
    };
    HamiltonianSampler.Chain chain = run(kind, banana, 2, 0.95, 11);
    double[][] checks = {
        {0, 0}, {1, 0}, {2, 1}, {3, 1 + 2 * BANANA * BANANA}, {4, 2 * BANANA}};
    List<ToDoubleFunction<double[]>> functions = List.of(
        z -> z[0], z -> z[1], z -> z[0] * z[0], z -> z[1] * z[1], z -> z[0] * z[0] * z[1]);
    for (double[] check : checks) {
      double[] sampled = moment(chain.samples(), functions.get((int) check[0]));
      assertEquals(check[1], sampled[0], MonteCarlo.Z * sampled[1], kind + " moment " + (int) check[0]);
    }
    assertTrue(chain.divergences() < 100, kind + " divergences: " + chain.divergences());
  }

  /**
   * Detailed balance of one transition at a fixed step size on log p(x) = x - e^x (the law of
   * log E, E ~ Exp(1): skewed, so a symmetric error cannot hide). Starting from exact draws, the
   * counts C[i][j] of moves from quartile i to quartile j must be symmetric: given
   * C[i][j] + C[j][i] = m, C[i][j] is Binomial(m, 1/2) under detailed balance.
   */
  @ParameterizedTest
  @EnumSource(Kind.class)
  void oneTransitionSatisfiesDetailedBalance(Kind kind) {
    LogDensity gumbel = (x, gradient) -> {
      gradient[0] = 1 - Math.exp(x[0]);
      return x[0] - Math.exp(x[0]);
    };
    HamiltonianSampler sampler =
        new HamiltonianSampler(new HamiltonianSampler.Settings(kind, 1, 0, 0.8, 5, 10), gumbel);
    double[] quartiles = {Math.log(-Math.log(0.75)), Math.log(Math.log(2)), Math.log(-Math.log(0.25))};
    int trials = 20_000;
    long[][] counts = new long[4][4];
    long[] endCounts = new long[4];
    Rng rng = new Rng(3);
    long moved = 0;
    for (int t = 0; t < trials; t++) {
      double x0 = Math.log(-Math.log(rng.nextOpenDouble()));
      double x1 = sampler.transition(new double[] {x0}, 0.9, Rng.derive(5, "trial-" + t))[0];
      counts[bin(x0, quartiles)][bin(x1, quartiles)]++;
      endCounts[bin(x1, quartiles)]++;
      moved += x1 != x0 ? 1 : 0;
    }
    assertTrue(moved > trials / 2, kind + " moves: " + moved);
    for (int i = 0; i < 4; i++) {
      for (int j = i + 1; j < 4; j++) {
        long m = counts[i][j] + counts[j][i];
        assertTrue(m > 500, "enough moves between quartiles " + i + " and " + j + ": " + m);
        assertEquals(m / 2.0, counts[i][j], 4 * Math.sqrt(m) / 2, kind + " flow " + i + "<->" + j);
      }
      // Stationarity, which detailed balance implies: the end points are again in each quartile a quarter of the time.
      assertEquals(trials / 4.0, endCounts[i], 4 * Math.sqrt(trials * 3 / 16.0), kind + " quartile " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void reportsEveryGradientEvaluation(Kind kind) {
    AtomicLong calls = new AtomicLong();
    LogDensity counted = (z, gradient) -> {
      calls.incrementAndGet();
      return gaussian(z, gradient);
    };
    HamiltonianSampler.Chain chain = new HamiltonianSampler(
        new HamiltonianSampler.Settings(kind, 200, 100, 0.8, 10, 8), counted).run(new double[3], 1, null);
    assertEquals(calls.get(), chain.gradientEvaluations());
    assertTrue(chain.meanLeapfrogSteps() >= 1);
  }

  private static int bin(double x, double[] edges) {
    int b = 0;
    while (b < edges.length && x > edges[b]) {
      b++;
    }
    return b;
  }

  private static double[] moment(List<double[]> samples, ToDoubleFunction<double[]> f) {
    return MonteCarlo.meanAndError(samples.stream().mapToDouble(f).toArray());
  }

  /** A chain checkpointed mid-warm-up and one checkpointed mid-sampling both resume bit-identically. */
  @ParameterizedTest
  @EnumSource(Kind.class)
  void resumingFromACheckpointIsBitIdentical(Kind kind) {
    HamiltonianSampler.Settings settings = new HamiltonianSampler.Settings(kind, 60, 40, 0.8, 10, 8);
    Map<Integer, HamiltonianSampler.ChainState> checkpoints = new HashMap<>();
    HamiltonianSampler.Chain straight = new HamiltonianSampler(settings, HamiltonianSamplerTest::gaussian)
        .run(new double[3], 21, (done, total, gradients, snapshot) -> {
          if (done == 25 || done == 70) {
            checkpoints.put(done, snapshot.get());
          }
        });
    for (HamiltonianSampler.ChainState checkpoint : checkpoints.values()) {
      HamiltonianSampler.Chain resumed = new HamiltonianSampler(settings, HamiltonianSamplerTest::gaussian)
          .run(checkpoint, null);
      assertEquals(straight.samples().size(), resumed.samples().size());
      for (int s = 0; s < straight.samples().size(); s++) {
        assertArrayEquals(straight.samples().get(s), resumed.samples().get(s), "draw " + s);
      }
      assertEquals(straight.stepSize(), resumed.stepSize());
      assertEquals(straight.gradientEvaluations(), resumed.gradientEvaluations());
    }
    assertEquals(2, checkpoints.size());
  }
}
