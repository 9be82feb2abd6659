package org.subspace.protocol.spec;

import org.subspace.protocol.vocabulary.Schedule;

/** SGD and SWAG settings. */
public record TrainingSpec(
    int epochs,
    int batchSize,
    double lr,
    Schedule schedule,
    double swaLr,
    double momentum,
    double weightDecay,
    double lossNoiseVariance,
    int swagStartEpoch,
    int maxDeviations) {

  /** Models SWAG collects over the run (one per epoch after the start epoch). */
  public int collectedModels() {
    return epochs - swagStartEpoch;
  }
}
