package org.subspace.workers.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDScope;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.Mlp;
import org.subspace.workers.random.Rng;

/**
 * Mode connectivity (Garipov et al., 2018): fits the middle control point theta of the
 * quadratic Bezier curve {@code w(t) = (1-t)^2 start + 2t(1-t) theta + t^2 end} between two
 * trained networks, the ends fixed. Each mini-batch draws {@code t ~ U(0, 1)} and takes an SGD
 * step (momentum, weight decay on theta) on the batch loss at {@code w(t)}, whose gradient in
 * theta is {@code 2t(1-t)} times the weight gradient. Theta starts at the straight line's midpoint.
 */
public final class CurveTrainer {

  public record Settings(int epochs, int batchSize, double lr, double momentum, double weightDecay,
      GaussianLikelihood loss) {
    public Settings {
      if (epochs < 1 || batchSize < 1 || !(lr > 0) || momentum < 0 || weightDecay < 0) {
        throw new IllegalArgumentException(String.format(
            "invalid curve settings: epochs %d, batch %d, lr %s, momentum %s, weight decay %s",
            epochs, batchSize, lr, momentum, weightDecay));
      }
    }
  }

  /** Sees the mean batch loss after each epoch. */
  @FunctionalInterface
  public interface EpochListener {
    void afterEpoch(int epochsDone, double loss);
  }

  private final Mlp mlp;
  private final RegressionData data;
  private final Settings settings;
  private final long seed;

  public CurveTrainer(Mlp mlp, RegressionData data, Settings settings, long seed) {
    this.mlp = mlp;
    this.data = data;
    this.settings = settings;
    this.seed = seed;
  }

  /** Returns the fitted middle control point. */
  public float[] fit(float[] start, float[] end, EpochListener listener) {
    int n = data.trainCount();
    int p = mlp.spec().parameterCount();
    float[] midpoint = new float[p];
    for (int i = 0; i < p; i++) {
      midpoint[i] = 0.5f * (start[i] + end[i]);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.create(data.trainX(), new Shape(n, data.features()));
      NDArray y = manager.create(data.trainY());
      NDArray from = manager.create(start, new Shape(1, p));
      NDArray to = manager.create(end, new Shape(1, p));
      NDArray theta = manager.create(midpoint, new Shape(1, p));
      NDArray velocity = manager.zeros(new Shape(1, p));
      Rng rng = new Rng(Rng.derive(seed, "curve"));
      for (int epoch = 0; epoch < settings.epochs(); epoch++) {
        int[] order = rng.permutation(n);
        double lossSum = 0;
        try (NDScope epochScope = new NDScope()) {
          epochScope.suppressNotUsedWarning();
          NDArray index = manager.create(order);
          NDArray shuffledX = x.get(index);
          NDArray shuffledY = y.get(index);
          for (int first = 0; first < n; first += settings.batchSize()) {
            int last = Math.min(n, first + settings.batchSize());
            double t = rng.nextDouble();
            double bend = 2 * t * (1 - t);
            try (NDScope stepScope = new NDScope()) {
              stepScope.suppressNotUsedWarning();
              NDArray w = pointOnCurve(from, theta, to, t);
              NDIndex rows = new NDIndex("{}:{}", first, last);
              Mlp.LogLikelihood fit =
                  mlp.logLikelihoodWithGradient(shuffledX.get(rows), shuffledY.get(rows), w, settings.loss());
              lossSum -= fit.value().getFloat(0);
              NDArray gradient = fit.gradient().muli(-bend / (last - first))
                  .addi(theta.mul(settings.weightDecay()));
              velocity.muli(settings.momentum()).addi(gradient);
              theta.subi(velocity.mul(settings.lr()));
            }
          }
        }
        double loss = lossSum / n;
        if (!Double.isFinite(loss)) {
          throw new SgdTrainer.TrainingDivergedException(String.format(
              "curve fitting diverged: the loss is %s after epoch %d (lower subspace.curve.lr)", loss, epoch + 1));
        }
        if (listener != null) {
          listener.afterEpoch(epoch + 1, loss);
        }
      }
      return theta.toFloatArray();
    }
  }

  /** The mean training loss (negative log-likelihood per row) at the point t of the curve. */
  public double lossAt(float[] start, float[] middle, float[] end, double t) {
    int n = data.trainCount();
    int p = mlp.spec().parameterCount();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray w = pointOnCurve(manager.create(start, new Shape(1, p)), manager.create(middle, new Shape(1, p)),
          manager.create(end, new Shape(1, p)), t);
      NDArray x = manager.create(data.trainX(), new Shape(n, data.features()));
      return -mlp.logLikelihood(x, manager.create(data.trainY()), w, settings.loss()).getFloat(0) / n;
    }
  }

  private static NDArray pointOnCurve(NDArray start, NDArray middle, NDArray end, double t) {
    return start.mul((1 - t) * (1 - t)).addi(middle.mul(2 * t * (1 - t))).addi(end.mul(t * t));
  }
}
