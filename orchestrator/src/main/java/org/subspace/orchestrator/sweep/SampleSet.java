package org.subspace.orchestrator.sweep;

import java.util.LinkedHashMap;
import java.util.Map;
import org.subspace.protocol.tensor.Tensor;

/**
 * What one configuration's model average was made of: the subspace points it averaged and
 * each sampled network's predictive mean and variance on the evaluated rows (standardized
 * units), with the targets and the constants that convert to original units.
 */
public record SampleSet(ResultRow row, double[][] z, float[][] means, float[][] variances, float[] targets,
    double yMean, double yStd) {

  /** The arrays as named tensors, for a {@code .npz} file. */
  public Map<String, Tensor> tensors() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("z", Tensor.ofRows(z));
    tensors.put("pred_mean", Tensor.ofRows(means));
    tensors.put("pred_var", Tensor.ofRows(variances));
    tensors.put("y", Tensor.of(targets, targets.length));
    tensors.put("y_mean", Tensor.of(new double[] {yMean}));
    tensors.put("y_std", Tensor.of(new double[] {yStd}));
    return tensors;
  }
}
