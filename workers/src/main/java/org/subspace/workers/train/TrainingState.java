package org.subspace.workers.train;

import org.subspace.workers.model.MlpSpec;
import org.subspace.workers.random.Rng;

/**
 * Everything needed to continue training bit-identically after {@code epochsDone} epochs:
 * the weights, the momentum buffer and the SWAG moments. Shuffles are derived from the seed
 * and the epoch number, so no generator state is needed.
 */
public record TrainingState(int epochsDone, float[] weights, float[] momentum, SwagMoments swag, double lastLoss) {

  /** Fresh weights (PyTorch's default initialisation drawn from {@code seed}), no momentum, no moments. */
  public static TrainingState initial(MlpSpec spec, TrainingSettings settings, long seed) {
    float[] weights = spec.initialWeights(new Rng(Rng.derive(seed, "init")));
    return new TrainingState(0, weights, new float[weights.length],
        new SwagMoments(weights.length, settings.maxDeviations()), Double.NaN);
  }

  /** An independent copy: one that later epochs of the trainer it came from cannot change. */
  public TrainingState copy() {
    return new TrainingState(epochsDone, weights.clone(), momentum.clone(), swag.copy(), lastLoss);
  }
}
