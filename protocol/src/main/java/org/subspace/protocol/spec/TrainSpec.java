package org.subspace.protocol.spec;

import org.subspace.protocol.stage.StageKind;

/** SGD with SWAG on one split: outputs the final training state with its SWAG moments. */
public record TrainSpec(Problem problem, TrainingSpec training, long seed) implements StageSpec {
  @Override
  public int algorithmVersion() {
    return 1;
  }

  @Override
  public StageKind workerKind() {
    return StageKind.TRAIN;
  }
}
