package org.subspace.protocol.spec;

/** SGD and SWAG settings; {@code schedule} is constant | swag. */
public record TrainingSpec(
    int epochs,
    int batchSize,
    double lr,
    String schedule,
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
