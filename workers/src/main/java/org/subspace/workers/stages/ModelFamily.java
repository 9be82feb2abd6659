package org.subspace.workers.stages;

import org.subspace.protocol.spec.CurveFitSpec;
import org.subspace.protocol.spec.EvaluateSpec;
import org.subspace.protocol.spec.Problem;
import org.subspace.protocol.spec.TrainSpec;
import org.subspace.protocol.stage.CheckpointPolicy;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.workers.model.SubspaceModel;
import org.subspace.workers.subspace.Subspace;

/**
 * What differs between kinds of network (regression MLPs, image classifiers): how they train,
 * what a network restricted to a subspace is, and how a model average is scored. Subspaces and
 * samplers are the same for every family, so {@link StageExecutor} keeps them.
 */
interface ModelFamily {
  StageExecutor.Result train(TrainSpec spec, ArtifactRef resumeFrom, CheckpointPolicy policy,
      StageExecutor.Context context);

  /** The curve between two trained networks' weights; only families that fit curves override it. */
  default StageExecutor.Result fitCurve(CurveFitSpec spec, float[] start, float[] end, ArtifactRef resumeFrom,
      CheckpointPolicy policy, StageExecutor.Context context) {
    throw new UnsupportedOperationException(
        "curve subspaces are fitted for " + spec.problem().model().architecture().label() + " networks");
  }

  /** The network restricted to {@code subspace}, with the split's training data, on the attempt's device. */
  SubspaceModel subspaceModel(Problem problem, Subspace subspace, double noiseVariance, int gpu);

  StageExecutor.Result evaluate(EvaluateSpec spec, Members members, StageExecutor.Context context);
}
