package org.subspace.workers.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.model.Mlp;
import org.subspace.workers.random.Rng;

/**
 * Trains a network with SGD and collects SWAG moments. Usable as a plain library: call
 * {@link #run} with a starting state (fresh or restored) and an optional listener that sees
 * every finished epoch and may take a checkpoint.
 */
public final class SgdTrainer {

  /** Thrown when the loss stops being a finite number. */
  public static final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
      super(message);
    }
  }

  /**
   * Called after every epoch. {@code snapshot} gives the state then, sharing the trainer's SWAG
   * moments (gigabytes at scale): use it during the call, or {@link TrainingState#copy} it.
   */
  public interface EpochListener {
    void afterEpoch(int epochsDone, double meanLoss, java.util.function.Supplier<TrainingState> snapshot);
  }

  private final Mlp mlp;
  private final RegressionData data;
  private final TrainingSettings settings;
  private final long seed;

  public SgdTrainer(Mlp mlp, RegressionData data, TrainingSettings settings, long seed) {
    this.mlp = mlp;
    this.data = data;
    this.settings = settings;
    this.seed = seed;
  }

  /** Trains from {@code start} up to the configured number of epochs. */
  public TrainingState run(TrainingState start, EpochListener listener) {
    int n = data.trainCount();
    int p = mlp.spec().parameterCount();
    SwagMoments swag = start.swag().copy();
    double lastLoss = start.lastLoss();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.create(data.trainX(), new Shape(n, data.features()));
      NDArray y = manager.create(data.trainY());
      NDArray weights = manager.create(start.weights(), new Shape(1, p));
      NDArray momentum = manager.create(start.momentum(), new Shape(1, p));
      NDArray lossSum = manager.zeros(new Shape(1));
      for (int epoch = start.epochsDone(); epoch < settings.epochs(); epoch++) {
        lossSum.muli(0);
        runEpoch(epoch, manager, x, y, weights, momentum, lossSum);
        lastLoss = lossSum.getFloat() / n;
        if (!Double.isFinite(lastLoss)) {
          // Non-finite weights would flow silently into SWAG, PCA and every chain below.
          throw new TrainingDivergedException(String.format(
              "training diverged: the loss is %s after epoch %d (lower training.lr or raise training.batch-size)",
              lastLoss, epoch + 1));
        }
        if (epoch + 1 > settings.swagStartEpoch()) {
          swag.collect(weights.toFloatArray());
        }
        if (listener != null) {
          int done = epoch + 1;
          double loss = lastLoss;
          listener.afterEpoch(done, loss, () -> new TrainingState(done, weights.toFloatArray(),
              momentum.toFloatArray(), swag, loss));
        }
      }
      return new TrainingState(settings.epochs(), weights.toFloatArray(), momentum.toFloatArray(), swag, lastLoss);
    }
  }

  private void runEpoch(
      int epoch, NDManager manager, NDArray x, NDArray y, NDArray weights, NDArray momentum, NDArray lossSum) {
    int n = data.trainCount();
    int[] order = new Rng(Rng.derive(seed, "shuffle-epoch-" + epoch)).permutation(n);
    double rate = settings.schedule().rate(epoch);
    try (NDScope epochScope = new NDScope()) {
      epochScope.suppressNotUsedWarning();
      NDArray index = manager.create(order);
      NDArray shuffledX = x.get(index);
      NDArray shuffledY = y.get(index);
      for (int from = 0; from < n; from += settings.batchSize()) {
        int to = Math.min(n, from + settings.batchSize());
        try (NDScope stepScope = new NDScope()) {
          stepScope.suppressNotUsedWarning();
          NDIndex rows = new NDIndex("{}:{}", from, to);
          Mlp.LogLikelihood fit =
              mlp.logLikelihoodWithGradient(shuffledX.get(rows), shuffledY.get(rows), weights, settings.loss());
          lossSum.subi(fit.value());
          // PyTorch SGD: g = dLoss/dw + wd * w; buf = momentum * buf + g; w -= lr * buf.
          NDArray gradient = fit.gradient().muli(-1.0 / (to - from)).addi(weights.mul(settings.weightDecay()));
          momentum.muli(settings.momentum()).addi(gradient);
          weights.subi(momentum.mul(rate));
        }
      }
    }
  }
}
