package org.subspace.workers.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;
import org.subspace.workers.data.ImageData;
import org.subspace.workers.random.Rng;
import org.subspace.workers.train.LearningRateSchedule;
import org.subspace.workers.train.SgdTrainer;
import org.subspace.workers.train.SwagMoments;
import org.subspace.workers.train.TrainingState;

/**
 * SGD with momentum and weight decay (PyTorch's rule) on the mean cross-entropy of shuffled
 * mini-batches, with SWAG collection after every epoch past {@code swagStartEpoch}, for a
 * {@link ClassifierNetwork}; optional CIFAR augmentation per batch. States are
 * {@link TrainingState}s (flat weights and momentum), so checkpoints and resumes work as for
 * the regression trainer, bit-identically since shuffles and augmentation derive from the seed
 * and the epoch.
 */
public final class ClassifierTrainer {

  public record Settings(int epochs, int batchSize, LearningRateSchedule schedule, double momentum,
      double weightDecay, int swagStartEpoch, int maxDeviations, boolean augment) {
    public Settings {
      if (epochs < 1 || batchSize < 1 || maxDeviations < 1 || swagStartEpoch < 0 || swagStartEpoch >= epochs) {
        throw new IllegalArgumentException(String.format(
            "invalid training settings: epochs %d, batch %d, swag start %d, deviations %d",
            epochs, batchSize, swagStartEpoch, maxDeviations));
      }
    }
  }

  private final ClassifierNetwork network;
  private final ImageData data;
  private final Settings settings;
  private final long seed;

  public ClassifierTrainer(ClassifierNetwork network, ImageData data, Settings settings, long seed) {
    this.network = network;
    this.data = data;
    this.settings = settings;
    this.seed = seed;
  }

  /** The state before the first epoch: the network's reproducible initial weights, no momentum. */
  public TrainingState initial() {
    return new TrainingState(0, network.initialWeights(seed), new float[network.parameterCount()],
        new SwagMoments(network.parameterCount(), settings.maxDeviations()), Double.NaN);
  }

  /** Trains from {@code start} up to the configured epochs; {@code listener} may be null. */
  public TrainingState run(TrainingState start, SgdTrainer.EpochListener listener) {
    SwagMoments swag = start.swag().copy();
    network.setWeights(start.weights());
    List<NDArray> parameters = network.parameterArrays();
    List<NDArray> velocity = new ArrayList<>();
    int offset = 0;
    for (NDArray parameter : parameters) {
      int size = (int) parameter.size();
      float[] slice = new float[size];
      System.arraycopy(start.momentum(), offset, slice, 0, size);
      velocity.add(network.manager().create(slice, parameter.getShape()));
      offset += size;
    }
    double lastLoss = start.lastLoss();
    try {
      for (int epoch = start.epochsDone(); epoch < settings.epochs(); epoch++) {
        lastLoss = runEpoch(epoch, parameters, velocity);
        if (!Double.isFinite(lastLoss)) {
          throw new SgdTrainer.TrainingDivergedException(String.format(
              "training diverged: the loss is %s after epoch %d (lower training.lr)", lastLoss, epoch + 1));
        }
        if (epoch + 1 > settings.swagStartEpoch()) {
          swag.collect(network.weights());
        }
        if (listener != null) {
          int done = epoch + 1;
          double loss = lastLoss;
          listener.afterEpoch(done, loss, () -> new TrainingState(done, network.weights(),
              ClassifierNetwork.flatten(velocity), swag, loss));
        }
      }
      return new TrainingState(settings.epochs(), network.weights(), ClassifierNetwork.flatten(velocity), swag,
          lastLoss);
    } finally {
      velocity.forEach(NDArray::close);
    }
  }

  /** One epoch of SGD steps; returns the mean cross-entropy over the epoch's batches. */
  private double runEpoch(int epoch, List<NDArray> parameters, List<NDArray> velocity) {
    Rng rng = new Rng(Rng.derive(seed, "classifier-epoch-" + epoch));
    ImageData shuffled = data.rows(rng.permutation(data.count()));
    if (settings.augment()) {
      shuffled = Augmentation.cropAndFlip(shuffled, 4, rng);
    }
    double rate = settings.schedule().rate(epoch);
    double lossSum = 0;
    for (int from = 0; from < shuffled.count(); from += settings.batchSize()) {
      int to = Math.min(shuffled.count(), from + settings.batchSize());
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        // The gradient of the batch-mean cross-entropy: -1/B times the log-likelihood's.
        lossSum -= network.backward(network.images(shuffled, from, to), network.labels(shuffled, from, to), true,
            -1.0 / (to - from));
        for (int i = 0; i < parameters.size(); i++) {
          NDArray weight = parameters.get(i);
          NDArray gradient = weight.getGradient().add(weight.mul(settings.weightDecay()));
          velocity.get(i).muli(settings.momentum()).addi(gradient);
          weight.subi(velocity.get(i).mul(rate));
        }
      }
    }
    return lossSum / shuffled.count();
  }
}
