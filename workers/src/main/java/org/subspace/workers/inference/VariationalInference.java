package org.subspace.workers.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.subspace.workers.random.Rng;

/**
 * Variational inference in a subspace, as the reference does it: a diagonal Gaussian
 * {@code q(z) = N(mu, diag(sigma^2))} with {@code sigma = softplus(rho) + 1e-6}, fitted by
 * Adam on the reparameterised loss {@code mean NLL of a batch + T * KL(q || prior) / N} with one
 * draw of z per batch, prior {@code N(0, priorStd^2 I)}.
 */
public final class VariationalInference {

  /** The mean negative log-likelihood of some training rows at z, and its gradient. */
  @FunctionalInterface
  public interface BatchObjective {
    /** Returns the mean NLL over {@code rows} at {@code z} and writes its gradient into {@code gradient}. */
    double meanNegLogLikelihood(double[] z, int[] rows, double[] gradient);
  }

  public record Settings(int epochs, int batchSize, double lr, double initRho, double priorStd, double temperature) {
    public Settings {
      if (epochs < 1 || batchSize < 1 || !(lr > 0) || !(priorStd > 0) || !(temperature > 0)) {
        throw new IllegalArgumentException(String.format(
            "invalid VI settings: epochs %d, batch %d, lr %s, prior std %s, temperature %s",
            epochs, batchSize, lr, priorStd, temperature));
      }
    }
  }

  /** The fitted q: its mean and standard deviations, the loss after each epoch, gradient evaluations spent. */
  public record Posterior(double[] mean, double[] sigma, List<Double> epochLosses, long gradientEvaluations) {
    /** {@code count} independent draws from q. */
    public List<double[]> sample(int count, long seed) {
      Rng rng = new Rng(Rng.derive(seed, "vi-draws"));
      List<double[]> draws = new ArrayList<>(count);
      for (int s = 0; s < count; s++) {
        double[] z = new double[mean.length];
        for (int i = 0; i < z.length; i++) {
          z[i] = mean[i] + sigma[i] * rng.nextGaussian();
        }
        draws.add(z);
      }
      return draws;
    }
  }

  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double ADAM_EPSILON = 1e-8;
  private static final double SIGMA_FLOOR = 1e-6;

  private final Settings settings;

  public VariationalInference(Settings settings) {
    this.settings = settings;
  }

  /** Fits q over {@code n} training rows, starting from mu = 0 and rho = initRho. */
  public Posterior fit(int rank, int n, BatchObjective objective, long seed) {
    double[] mu = new double[rank];
    double[] rho = new double[rank];
    Arrays.fill(rho, settings.initRho());
    Adam adamMu = new Adam(rank);
    Adam adamRho = new Adam(rank);
    double priorVariance = settings.priorStd() * settings.priorStd();
    double klWeight = settings.temperature() / n;
    List<Double> losses = new ArrayList<>();
    long evaluations = 0;
    double[] z = new double[rank];
    double[] eps = new double[rank];
    double[] g = new double[rank];
    double[] gradMu = new double[rank];
    double[] gradRho = new double[rank];
    for (int epoch = 0; epoch < settings.epochs(); epoch++) {
      Rng rng = new Rng(Rng.derive(seed, "vi-epoch-" + epoch));
      int[] order = rng.permutation(n);
      double epochLoss = 0;
      int batches = 0;
      for (int from = 0; from < n; from += settings.batchSize()) {
        int[] rows = Arrays.copyOfRange(order, from, Math.min(n, from + settings.batchSize()));
        double kl = 0;
        for (int i = 0; i < rank; i++) {
          double sigma = softplus(rho[i]) + SIGMA_FLOOR;
          eps[i] = rng.nextGaussian();
          z[i] = mu[i] + sigma * eps[i];
          kl += Math.log(settings.priorStd() / sigma) + (sigma * sigma + mu[i] * mu[i]) / (2 * priorVariance) - 0.5;
        }
        double nll = objective.meanNegLogLikelihood(z, rows, g);
        evaluations++;
        for (int i = 0; i < rank; i++) {
          double sigma = softplus(rho[i]) + SIGMA_FLOOR;
          gradMu[i] = g[i] + klWeight * mu[i] / priorVariance;
          double gradSigma = g[i] * eps[i] + klWeight * (sigma / priorVariance - 1 / sigma);
          gradRho[i] = gradSigma * sigmoid(rho[i]);
        }
        adamMu.step(mu, gradMu, settings.lr());
        adamRho.step(rho, gradRho, settings.lr());
        epochLoss += nll + klWeight * kl;
        batches++;
      }
      losses.add(epochLoss / batches);
    }
    double[] sigma = new double[rank];
    for (int i = 0; i < rank; i++) {
      sigma[i] = softplus(rho[i]) + SIGMA_FLOOR;
    }
    return new Posterior(mu, sigma, losses, evaluations);
  }

  private static double softplus(double x) {
    return x > 30 ? x : Math.log1p(Math.exp(x));
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** Adam (Kingma and Ba) with PyTorch's defaults and bias correction. */
  private static final class Adam {
    private final double[] m;
    private final double[] v;
    private int t;

    Adam(int size) {
      m = new double[size];
      v = new double[size];
    }

    void step(double[] params, double[] gradient, double lr) {
      t++;
      double c1 = 1 - Math.pow(BETA1, t);
      double c2 = 1 - Math.pow(BETA2, t);
      for (int i = 0; i < params.length; i++) {
        m[i] = BETA1 * m[i] + (1 - BETA1) * gradient[i];
        v[i] = BETA2 * v[i] + (1 - BETA2) * gradient[i] * gradient[i];
        params[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + ADAM_EPSILON);
      }
    }
  }
}
