package org.subspace.workers.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.util.Pair;
import java.util.List;

/**
 * The same networks as DJL blocks ({@link Linear} layers and activations in a
 * {@link SequentialBlock}), with a flat view of all their weights in {@link MlpSpec}'s layout.
 * Use it to hand a trained or sampled network to ordinary DJL code (save it, serve it); the
 * block computes the raw outputs, and the heteroscedastic head's scalar v stays in the vector.
 */
public final class MlpBlocks {
  private MlpBlocks() {}

  /** An initialised block for {@code spec} whose parameters are set from {@code weights}. */
  public static SequentialBlock build(MlpSpec spec, float[] weights, NDManager manager) {
    SequentialBlock block = new SequentialBlock();
    List<MlpSpec.Layer> layers = spec.layers();
    for (int l = 0; l < layers.size(); l++) {
      block.add(Linear.builder().setUnits(layers.get(l).out()).build());
      if (l < layers.size() - 1) {
        block.add(activation(spec.activation()));
      }
    }
    block.initialize(manager, DataType.FLOAT32, new Shape(1, spec.inputs()));
    setFlatWeights(block, spec, weights);
    return block;
  }

  /** Writes {@code weights} into the block's layers (a trailing v is not part of the block). */
  public static void setFlatWeights(Block block, MlpSpec spec, float[] weights) {
    if (weights.length != spec.parameterCount()) {
      throw new IllegalArgumentException("expected " + spec.parameterCount() + " weights, got " + weights.length);
    }
    int offset = 0;
    for (Pair<String, Parameter> entry : block.getParameters()) {
      NDArray array = entry.getValue().getArray();
      int size = (int) array.size();
      float[] slice = new float[size];
      System.arraycopy(weights, offset, slice, 0, size);
      array.set(slice);
      offset += size;
    }
  }

  /**
   * Reads the block's layers back as one vector: the flat weights without the
   * heteroscedastic head's scalar v, which the block does not hold.
   */
  public static float[] flatWeights(Block block, MlpSpec spec) {
    List<MlpSpec.Layer> layers = spec.layers();
    float[] weights = new float[layers.get(layers.size() - 1).end()];
    int offset = 0;
    for (Pair<String, Parameter> entry : block.getParameters()) {
      float[] values = entry.getValue().getArray().toFloatArray();
      System.arraycopy(values, 0, weights, offset, values.length);
      offset += values.length;
    }
    return weights;
  }

  private static Block activation(org.subspace.protocol.vocabulary.Activation activation) {
    return switch (activation) {
      case RELU -> Activation.reluBlock();
      case TANH -> Activation.tanhBlock();
      case SIGMOID -> Activation.sigmoidBlock();
    };
  }
}
