package org.subspace.workers.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Convergence diagnostics of several Markov chains of one quantity, as Vehtari, Gelman, Simpson,
 * Carpenter and Buerkner (2021, "Rank-normalization, folding, and localization: an improved
 * R-hat") define them and ArviZ computes them: rank-normalised split-R-hat (the larger of the
 * bulk and the folded, or tail, one), bulk and tail effective sample sizes, and the Monte Carlo
 * standard error of the mean. {@code draws[chain][draw]}, every chain as long as the others.
 *
 * <p>As in ArviZ: a NaN anywhere, or fewer than 4 draws a chain (or, for R-hat, fewer than 2
 * chains), gives NaN; draws that do not vary give an ESS of their number and an R-hat of NaN.
 */
public final class ConvergenceDiagnostics {
  /** Below this spread draws count as constant (numpy's float64 resolution, as ArviZ has it). */
  private static final double RESOLUTION = 1e-15;

  private ConvergenceDiagnostics() {}

  /** Rank-normalised split-R-hat: the larger of the bulk and the folded one. */
  public static double rhat(double[][] draws) {
    if (!valid(draws, 2)) {
      return Double.NaN;
    }
    double[][] split = split(draws);
    double bulk = basicRhat(zScale(split));
    double median = median(split);
    double tail = basicRhat(zScale(map(split, v -> Math.abs(v - median))));
    // ArviZ takes max(bulk, tail) in Python, which keeps a NaN bulk.
    return tail > bulk ? tail : bulk;
  }

  /** The ESS of the rank-normalised split chains: how well the bulk of the distribution is known. */
  public static double essBulk(double[][] draws) {
    return valid(draws, 1) ? ess(zScale(split(draws))) : Double.NaN;
  }

  /** The smaller ESS of the indicators of the 5% and 95% quantiles: how well the tails are known. */
  public static double essTail(double[][] draws) {
    if (!valid(draws, 1)) {
      return Double.NaN;
    }
    double[] sorted = sorted(draws);
    double low = quantile(sorted, 0.05);
    double high = quantile(sorted, 0.95);
    return Math.min(ess(split(map(draws, v -> v <= low ? 1 : 0))), ess(split(map(draws, v -> v <= high ? 1 : 0))));
  }

  /** The ESS of the split chains themselves: how well their mean is known. */
  public static double essMean(double[][] draws) {
    return valid(draws, 1) ? ess(split(draws)) : Double.NaN;
  }

  /** The Monte Carlo standard error of the mean: the draws' standard deviation over the root of {@link #essMean}. */
  public static double mcseMean(double[][] draws) {
    if (!valid(draws, 1)) {
      return Double.NaN;
    }
    double[] all = Arrays.stream(draws).flatMapToDouble(Arrays::stream).toArray();
    return Math.sqrt(variance(all)) / Math.sqrt(essMean(draws));
  }

  private static boolean valid(double[][] draws, int minChains) {
    if (draws.length < minChains || draws[0].length < 4) {
      return false;
    }
    for (double[] chain : draws) {
      if (chain.length != draws[0].length) {
        throw new IllegalArgumentException("chains of " + draws[0].length + " and " + chain.length + " draws");
      }
      for (double v : chain) {
        if (Double.isNaN(v)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Each chain as its first and its last half (the middle draw of an odd count left out). */
  static double[][] split(double[][] draws) {
    int half = draws[0].length / 2;
    double[][] split = new double[2 * draws.length][];
    for (int c = 0; c < draws.length; c++) {
      split[2 * c] = Arrays.copyOfRange(draws[c], 0, half);
      split[2 * c + 1] = Arrays.copyOfRange(draws[c], draws[c].length - half, draws[c].length);
    }
    return split;
  }

  /**
   * The draws replaced by the normal quantiles of their ranks among all draws (ties share their
   * average rank), with Blom's offset: z = Phi^-1((rank - 3/8) / (N + 1/4)).
   */
  static double[][] zScale(double[][] draws) {
    int chains = draws.length;
    int n = draws[0].length;
    int total = chains * n;
    double[] all = new double[total];
    for (int c = 0; c < chains; c++) {
      System.arraycopy(draws[c], 0, all, c * n, n);
    }
    Integer[] order = IntStream.range(0, total).boxed().sorted(Comparator.comparingDouble(i -> all[i]))
        .toArray(Integer[]::new);
    double[] rank = new double[total];
    for (int start = 0; start < total; ) {
      int end = start;
      while (end + 1 < total && all[order[end + 1]] == all[order[start]]) {
        end++;
      }
      double average = (start + end) / 2.0 + 1;
      for (int k = start; k <= end; k++) {
        rank[order[k]] = average;
      }
      start = end + 1;
    }
    double[][] z = new double[chains][n];
    for (int i = 0; i < total; i++) {
      z[i / n][i % n] = NormalQuantile.of((rank[i] - 0.375) / (total + 0.25));
    }
    return z;
  }

  /** Gelman and Rubin's R-hat of the chains as they are: between- over within-chain variance. */
  static double basicRhat(double[][] draws) {
    int n = draws[0].length;
    double[] means = new double[draws.length];
    double within = 0;
    for (int c = 0; c < draws.length; c++) {
      means[c] = mean(draws[c]);
      within += variance(draws[c]);
    }
    within /= draws.length;
    double between = n * variance(means);
    return Math.sqrt((between / within + n - 1) / n);
  }

  /**
   * The effective sample size of several chains (Vehtari et al. 2021, eq. 10-11): autocorrelations
   * combined across chains, summed over Geyer's initial positive sequence made monotone.
   */
  static double ess(double[][] draws) {
    int chains = draws.length;
    int n = draws[0].length;
    double lowest = Double.POSITIVE_INFINITY;
    double highest = Double.NEGATIVE_INFINITY;
    for (double[] chain : draws) {
      for (double v : chain) {
        lowest = Math.min(lowest, v);
        highest = Math.max(highest, v);
      }
    }
    if (highest - lowest < RESOLUTION) {
      return chains * n;
    }
    Autocovariance acov = new Autocovariance(draws);
    double meanVariance = acov.atLag(0) * n / (n - 1.0);
    double[] means = new double[chains];
    for (int c = 0; c < chains; c++) {
      means[c] = mean(draws[c]);
    }
    double varPlus = meanVariance * (n - 1.0) / n + (chains > 1 ? variance(means) : 0);
    double[] rho = new double[n];
    double even = 1.0;
    double odd = 1.0 - (meanVariance - acov.atLag(1)) / varPlus;
    rho[0] = even;
    rho[1] = odd;
    int t = 1;
    while (t < n - 3 && even + odd > 0) {
      even = 1.0 - (meanVariance - acov.atLag(t + 1)) / varPlus;
      odd = 1.0 - (meanVariance - acov.atLag(t + 2)) / varPlus;
      if (even + odd >= 0) {
        rho[t + 1] = even;
        rho[t + 2] = odd;
      }
      t += 2;
    }
    int maxT = t - 2;
    if (even > 0) {
      rho[maxT + 1] = even;
    }
    for (t = 1; t <= maxT - 2; t += 2) {
      if (rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]) {
        rho[t + 1] = (rho[t - 1] + rho[t]) / 2.0;
        rho[t + 2] = rho[t + 1];
      }
    }
    double tau = -1.0;
    for (int k = 0; k <= maxT; k++) {
      tau += 2 * rho[k];
    }
    tau += rho[maxT + 1];
    double size = chains * n;
    tau = Math.max(tau, 1 / Math.log10(size));
    double ess = size / tau;
    for (double r : rho) {
      if (Double.isNaN(r)) {
        return Double.NaN;
      }
    }
    return ess;
  }

  /** Each chain's autocovariance about its mean (divided by the chain's length), averaged over chains, lag by lag. */
  private static final class Autocovariance {
    private final double[][] centred;

    Autocovariance(double[][] draws) {
      centred = new double[draws.length][];
      for (int c = 0; c < draws.length; c++) {
        double mean = mean(draws[c]);
        centred[c] = Arrays.stream(draws[c]).map(v -> v - mean).toArray();
      }
    }

    double atLag(int lag) {
      double sum = 0;
      for (double[] x : centred) {
        double s = 0;
        for (int i = 0; i + lag < x.length; i++) {
          s += x[i] * x[i + lag];
        }
        sum += s / x.length;
      }
      return sum / centred.length;
    }
  }

  private static double[][] map(double[][] draws, java.util.function.DoubleUnaryOperator f) {
    return Arrays.stream(draws).map(chain -> Arrays.stream(chain).map(f).toArray()).toArray(double[][]::new);
  }

  private static double[] sorted(double[][] draws) {
    double[] all = Arrays.stream(draws).flatMapToDouble(Arrays::stream).toArray();
    Arrays.sort(all);
    return all;
  }

  private static double median(double[][] draws) {
    return quantile(sorted(draws), 0.5);
  }

  /** The p-quantile of sorted values, interpolated linearly between order statistics (R's type 7). */
  static double quantile(double[] sorted, double p) {
    double h = (sorted.length - 1) * p;
    int below = (int) Math.floor(h);
    int above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (h - below) * (sorted[above] - sorted[below]);
  }

  private static double mean(double[] x) {
    double sum = 0;
    for (double v : x) {
      sum += v;
    }
    return sum / x.length;
  }

  /** The sample variance (n - 1 in the denominator). */
  private static double variance(double[] x) {
    double mean = mean(x);
    double sum = 0;
    for (double v : x) {
      sum += (v - mean) * (v - mean);
    }
    return sum / (x.length - 1);
  }
}
