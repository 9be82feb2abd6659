package org.subspace.orchestrator.report;

import java.util.Map;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.tensor.TensorNames;

/**
 * The predictive distribution of one configuration on a 1-D grid, in original units: mean,
 * epistemic std (spread of the sampled functions), std including the noise, a few sampled
 * functions, and the training points, as the evaluate stage stored them.
 */
public record GridPrediction(
    String label,
    double[] x,
    double[] mean,
    double[] std,
    double[] stdWithNoise,
    double[][] sampleFunctions,
    double[] trainX,
    double[] trainY) {

  public static GridPrediction of(String label, Map<String, Tensor> t) {
    return new GridPrediction(label, t.get(TensorNames.X).doubles(), t.get(TensorNames.MEAN).doubles(),
        t.get(TensorNames.STD).doubles(), t.get(TensorNames.STD_WITH_NOISE).doubles(),
        t.get(TensorNames.SAMPLE_FUNCTIONS).doubleRows(), t.get(TensorNames.TRAIN_X).doubles(),
        t.get(TensorNames.TRAIN_Y).doubles());
  }

  /** The epistemic std at the grid point closest to {@code x}. */
  public double stdNear(double x) {
    int best = 0;
    for (int i = 1; i < this.x.length; i++) {
      if (Math.abs(this.x[i] - x) < Math.abs(this.x[best] - x)) {
        best = i;
      }
    }
    return std[best];
  }
}
