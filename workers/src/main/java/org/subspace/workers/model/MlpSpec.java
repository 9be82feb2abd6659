package org.subspace.workers.model;

import java.util.ArrayList;
import java.util.List;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.workers.random.Rng;

/**
 * A fully connected network: {@code inputs -> hidden... -> outputs}, with one activation
 * between layers and a regression head.
 *
 * <p>All weights live in one flat vector of length {@link #parameterCount()}, laid out as
 * PyTorch's {@code parameters()} of the reference's networks: for each layer its weight
 * matrix (out x in, row-major) then its bias; for the heteroscedastic head one extra scalar
 * {@code v} at the very end.
 */
public record MlpSpec(int inputs, List<Integer> hidden, Activation activation, Head head) {



  /** Where one layer's weight matrix and bias sit in the flat vector. */
  public record Layer(int in, int out, int weightOffset, int biasOffset) {
    public int end() {
      return biasOffset + out;
    }
  }

  public MlpSpec {
    hidden = List.copyOf(hidden);
    if (inputs <= 0 || hidden.stream().anyMatch(h -> h <= 0)) {
      throw new IllegalArgumentException("layer widths must be positive: " + inputs + " " + hidden);
    }
  }

  public int outputs() {
    return head == Head.MEAN ? 1 : 2;
  }

  public List<Layer> layers() {
    List<Layer> layers = new ArrayList<>();
    int in = inputs;
    int offset = 0;
    List<Integer> widths = new ArrayList<>(hidden);
    widths.add(outputs());
    for (int out : widths) {
      layers.add(new Layer(in, out, offset, offset + in * out));
      offset += in * out + out;
      in = out;
    }
    return layers;
  }

  /** Index of the heteroscedastic head's scalar v in the flat vector. */
  public int varianceScalarOffset() {
    if (head != Head.HETEROSCEDASTIC) {
      throw new IllegalStateException("only the heteroscedastic head has a variance scalar");
    }
    return layers().get(hidden.size()).end();
  }

  public int parameterCount() {
    int end = layers().get(hidden.size()).end();
    return head == Head.HETEROSCEDASTIC ? end + 1 : end;
  }

  /**
   * PyTorch's default initialisation of {@code nn.Linear}: weights and biases uniform in
   * +-1/sqrt(fan_in); v starts at 0 as in the reference.
   */
  public float[] initialWeights(Rng rng) {
    float[] w = new float[parameterCount()];
    for (Layer layer : layers()) {
      double bound = 1.0 / Math.sqrt(layer.in());
      for (int i = layer.weightOffset(); i < layer.end(); i++) {
        w[i] = (float) (bound * (2.0 * rng.nextDouble() - 1.0));
      }
    }
    return w;
  }
}
