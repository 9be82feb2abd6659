package org.subspace.protocol.spec;

import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.vocabulary.Method;

/**
 * Bayesian model averaging on the evaluation rows (and the grid, if asked) over the networks a
 * sample stage drew, or over the trained network alone (SGD).
 *
 * @param rank the subspace rows the samples live in (0 for the baselines)
 * @param noiseVariance the likelihood's noise variance for a regression mean head, which is the
 *     predictive's noise
 * @param seed the sample stage's seed: draws with replacement from a chain derive from it
 */
public record EvaluateSpec(Problem problem, Method method, int rank, double noiseVariance,
    EvaluationSpec evaluation, long seed) implements StageSpec {

  @Override
  public int algorithmVersion() {
    return 1;
  }

  @Override
  public StageKind workerKind() {
    return StageKind.EVALUATE;
  }
}
