package org.subspace.workers.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDScope;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.Mlp;
import java.util.function.Supplier;
import org.subspace.workers.random.Rng;

/**
 * Mode connectivity (Garipov et al., 2018): fits the middle control point theta of the
 * quadratic Bezier curve {@code w(t) = (1-t)^2 start + 2t(1-t) theta + t^2 end} between two
 * trained networks, the ends fixed. Each mini-batch draws {@code t ~ U(0, 1)} and takes an SGD
 * step (momentum, weight decay on theta) on the batch loss at {@code w(t)}, whose gradient in
 * theta is {@code 2t(1-t)} times the weight gradient. Theta starts at the straight line's midpoint;
 * a fit can be checkpointed after any epoch and resumed ({@link State}).
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

  /**
   * Where a fit stands after {@code epochsDone} epochs: the middle control point and the
   * momentum buffer. Shuffles and t draws derive from the seed and the epoch, so a fit resumed
   * from a state is bit-identical to one that never stopped.
   */
  public record State(int epochsDone, float[] middle, float[] velocity, double lastLoss) {}

  /** Sees the mean batch loss after each epoch, and the state then (computed only if asked for). */
  @FunctionalInterface
  public interface EpochListener {
    void afterEpoch(int epochsDone, double loss, Supplier<State> snapshot);
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

  /** The state before the first epoch: the middle point of the straight line, no momentum. */
  public static State initial(float[] start, float[] end) {
    float[] midpoint = new float[start.length];
    for (int i = 0; i < start.length; i++) {
      midpoint[i] = 0.5f * (start[i] + end[i]);
    }
    return new State(0, midpoint, new float[start.length], Double.NaN);
  }

  /** Fits from {@code from} up to the configured epochs; {@code listener} may be null. */
  public State run(float[] start, float[] end, State from, EpochListener listener) {
    int n = data.trainCount();
    int p = mlp.spec().parameterCount();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.create(data.trainX(), new Shape(n, data.features()));
      NDArray y = manager.create(data.trainY());
      NDArray first = manager.create(start, new Shape(1, p));
      NDArray last = manager.create(end, new Shape(1, p));
      NDArray theta = manager.create(from.middle(), new Shape(1, p));
      NDArray velocity = manager.create(from.velocity(), new Shape(1, p));
      double loss = from.lastLoss();
      for (int epoch = from.epochsDone(); epoch < settings.epochs(); epoch++) {
        loss = runEpoch(epoch, manager, x, y, first, theta, last, velocity);
        if (!Double.isFinite(loss)) {
          throw new SgdTrainer.TrainingDivergedException(String.format(
              "curve fitting diverged: the loss is %s after epoch %d (lower subspace.curve.lr)", loss, epoch + 1));
        }
        if (listener != null) {
          int done = epoch + 1;
          double epochLoss = loss;
          listener.afterEpoch(done, loss,
              () -> new State(done, theta.toFloatArray(), velocity.toFloatArray(), epochLoss));
        }
      }
      return new State(settings.epochs(), theta.toFloatArray(), velocity.toFloatArray(), loss);
    }
  }

  /** One epoch of steps on theta; returns the mean loss along the curve. */
  private double runEpoch(int epoch, NDManager manager, NDArray x, NDArray y, NDArray start, NDArray theta,
      NDArray end, NDArray velocity) {
    int n = data.trainCount();
    Rng rng = new Rng(Rng.derive(seed, "curve-epoch-" + epoch));
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
          NDArray w = pointOnCurve(start, theta, end, t);
          NDIndex rows = new NDIndex("{}:{}", first, last);
          Mlp.LogLikelihood fit =
              mlp.logLikelihoodWithGradient(shuffledX.get(rows), shuffledY.get(rows), w, settings.loss());
          lossSum -= fit.value().getFloat(0);
          NDArray gradient = fit.gradient().muli(-bend / (last - first)).addi(theta.mul(settings.weightDecay()));
          velocity.muli(settings.momentum()).addi(gradient);
          theta.subi(velocity.mul(settings.lr()));
        }
      }
    }
    return lossSum / n;
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
