package org.subspace.protocol.spec;

import org.subspace.protocol.stage.StageKind;

/**
 * Mode connectivity: the middle control point of a quadratic Bezier curve between two trained
 * networks, fitted on the split's training rows. Training-like, so it runs on trainers.
 */
public record CurveFitSpec(Problem problem, CurveSpec curve, long seed) implements StageSpec {
  @Override
  public int algorithmVersion() {
    return 1;
  }

  @Override
  public StageKind workerKind() {
    return StageKind.TRAIN;
  }
}
