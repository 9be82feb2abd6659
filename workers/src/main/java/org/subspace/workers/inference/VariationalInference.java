package org.subspace.workers.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.subspace.workers.random.Rng;

/**
 * Variational inference in a subspace: a Gaussian {@code q(z) = N(mu, L L^T)} fitted by Adam on
 * the reparameterised loss {@code mean NLL of a batch + T * KL(q || prior) / N} with one draw
 * {@code z = mu + L eps} per batch, prior {@code N(0, priorStd^2 I)}. The diagonal of L is
 * {@code softplus(rho) + 1e-6}; the diagonal family (the reference's) has no other entries, the
 * full-covariance family also fits L's lower triangle, cheap in a few dimensions.
 */
public final class VariationalInference {

  /** The mean negative log-likelihood of some training rows at z, and its gradient. */
  @FunctionalInterface
  public interface BatchObjective {
    /** Returns the mean NLL over {@code rows} at {@code z} and writes its gradient into {@code gradient}. */
    double meanNegLogLikelihood(double[] z, int[] rows, double[] gradient);
  }

  public record Settings(int epochs, int batchSize, double lr, double initRho, double priorStd, double temperature,
      boolean fullCovariance) {
    public Settings {
      if (epochs < 1 || batchSize < 1 || !(lr > 0) || !(priorStd > 0) || !(temperature > 0)) {
        throw new IllegalArgumentException(String.format(
            "invalid VI settings: epochs %d, batch %d, lr %s, prior std %s, temperature %s",
            epochs, batchSize, lr, priorStd, temperature));
      }
    }
  }

  /**
   * The fitted q: its mean and lower-triangular scale L (covariance L L^T), the loss (the
   * negative ELBO per training row) after each epoch, and the gradient evaluations spent.
   */
  public record Posterior(double[] mean, double[][] scale, List<Double> epochLosses, long gradientEvaluations) {
    /** Marginal standard deviations: the norms of L's rows. */
    public double[] sigma() {
      double[] sigma = new double[mean.length];
      for (int i = 0; i < mean.length; i++) {
        double s = 0;
        for (int j = 0; j <= i; j++) {
          s += scale[i][j] * scale[i][j];
        }
        sigma[i] = Math.sqrt(s);
      }
      return sigma;
    }

    /** {@code count} independent draws from q. */
    public List<double[]> sample(int count, long seed) {
      Rng rng = new Rng(Rng.derive(seed, "vi-draws"));
      List<double[]> draws = new ArrayList<>(count);
      double[] eps = new double[mean.length];
      for (int s = 0; s < count; s++) {
        for (int i = 0; i < eps.length; i++) {
          eps[i] = rng.nextGaussian();
        }
        draws.add(transform(mean, scale, eps, new double[mean.length]));
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

  /** Told after each epoch of a fit: {@code done} of {@code total}, and that epoch's mean loss. */
  public interface EpochListener {
    void epochDone(int done, int total, double loss);
  }

  /** Fits q over {@code n} training rows, starting from mu = 0, rho = initRho and no correlation. */
  public Posterior fit(int rank, int n, BatchObjective objective, long seed) {
    return fit(rank, n, objective, seed, (done, total, loss) -> { });
  }

  /** {@link #fit(int, int, BatchObjective, long)}, telling {@code listener} after each epoch. */
  public Posterior fit(int rank, int n, BatchObjective objective, long seed, EpochListener listener) {
    double[] mu = new double[rank];
    double[] rho = new double[rank];
    Arrays.fill(rho, settings.initRho());
    double[] lower = new double[settings.fullCovariance() ? rank * (rank - 1) / 2 : 0];
    Adam adamMu = new Adam(rank);
    Adam adamRho = new Adam(rank);
    Adam adamLower = new Adam(lower.length);
    double priorVariance = settings.priorStd() * settings.priorStd();
    double klWeight = settings.temperature() / n;
    List<Double> losses = new ArrayList<>();
    long evaluations = 0;
    double[] z = new double[rank];
    double[] eps = new double[rank];
    double[] g = new double[rank];
    double[] gradMu = new double[rank];
    double[] gradRho = new double[rank];
    double[] gradLower = new double[lower.length];
    for (int epoch = 0; epoch < settings.epochs(); epoch++) {
      Rng rng = new Rng(Rng.derive(seed, "vi-epoch-" + epoch));
      int[] order = rng.permutation(n);
      double epochLoss = 0;
      int batches = 0;
      for (int from = 0; from < n; from += settings.batchSize()) {
        int[] rows = Arrays.copyOfRange(order, from, Math.min(n, from + settings.batchSize()));
        double[][] scale = scale(rho, lower);
        for (int i = 0; i < rank; i++) {
          eps[i] = rng.nextGaussian();
        }
        transform(mu, scale, eps, z);
        double nll = objective.meanNegLogLikelihood(z, rows, g);
        evaluations++;
        // KL(N(mu, L L^T) || N(0, s^2 I)) = sum log(s / L_ii) + (|L|_F^2 + |mu|^2) / (2 s^2) - rank / 2.
        double kl = 0;
        for (int i = 0, k = 0; i < rank; i++) {
          double diagonal = scale[i][i];
          kl += Math.log(settings.priorStd() / diagonal) + (diagonal * diagonal + mu[i] * mu[i]) / (2 * priorVariance)
              - 0.5;
          gradMu[i] = g[i] + klWeight * mu[i] / priorVariance;
          double gradDiagonal = g[i] * eps[i] + klWeight * (diagonal / priorVariance - 1 / diagonal);
          gradRho[i] = gradDiagonal * sigmoid(rho[i]);
          for (int j = 0; j < i && lower.length > 0; j++, k++) {
            kl += lower[k] * lower[k] / (2 * priorVariance);
            gradLower[k] = g[i] * eps[j] + klWeight * lower[k] / priorVariance;
          }
        }
        adamMu.step(mu, gradMu, settings.lr());
        adamRho.step(rho, gradRho, settings.lr());
        adamLower.step(lower, gradLower, settings.lr());
        epochLoss += nll + klWeight * kl;
        batches++;
      }
      double loss = epochLoss / batches;
      if (!Double.isFinite(loss)) {
        // Not a posterior worth a results row: the stage fails, and says what to change.
        throw new IllegalStateException(String.format(
            "variational inference diverged: the loss is %s after epoch %d (lower inference.vi.lr)", loss, epoch + 1));
      }
      losses.add(loss);
      listener.epochDone(epoch + 1, settings.epochs(), loss);
    }
    return new Posterior(mu, scale(rho, lower), losses, evaluations);
  }

  /** L: {@code softplus(rho) + floor} on the diagonal, {@code lower} row by row below it. */
  private static double[][] scale(double[] rho, double[] lower) {
    int rank = rho.length;
    double[][] scale = new double[rank][rank];
    for (int i = 0, k = 0; i < rank; i++) {
      scale[i][i] = softplus(rho[i]) + SIGMA_FLOOR;
      for (int j = 0; j < i && lower.length > 0; j++, k++) {
        scale[i][j] = lower[k];
      }
    }
    return scale;
  }

  /** {@code z = mu + L eps}, written into {@code z}. */
  private static double[] transform(double[] mu, double[][] scale, double[] eps, double[] z) {
    for (int i = 0; i < mu.length; i++) {
      double s = mu[i];
      for (int j = 0; j <= i; j++) {
        s += scale[i][j] * eps[j];
      }
      z[i] = s;
    }
    return z;
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
