package org.subspace.workers.train;

import org.subspace.workers.model.GaussianLikelihood;

/**
 * SGD with momentum and weight decay (PyTorch's update rule) over shuffled mini-batches, and
 * SWAG collection after every epoch past {@code swagStartEpoch} (1-based epochs
 * {@code swagStartEpoch + 1 .. epochs} are collected). The loss is the batch-mean negative
 * log-likelihood under {@code loss}; with the mean head and noise variance 1 that is MSE/2
 * plus a constant.
 */
public record TrainingSettings(
    int epochs,
    int batchSize,
    LearningRateSchedule schedule,
    double momentum,
    double weightDecay,
    int swagStartEpoch,
    int maxDeviations,
    GaussianLikelihood loss) {

  public TrainingSettings {
    if (epochs < 1 || batchSize < 1 || maxDeviations < 1 || swagStartEpoch < 0 || swagStartEpoch >= epochs) {
      throw new IllegalArgumentException(String.format(
          "invalid training settings: epochs %d, batch %d, swag start %d, deviations %d",
          epochs, batchSize, swagStartEpoch, maxDeviations));
    }
  }

  /** How many models SWAG collects over the whole run. */
  public int collectedModels() {
    return epochs - swagStartEpoch;
  }
}
