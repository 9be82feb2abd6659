package org.subspace.protocol.spec;

import java.util.List;

/**
 * The network: {@code architecture} mlp (regression: hidden widths, activation relu | tanh |
 * sigmoid, head mean | heteroscedastic) or an image classifier (cnn-small | vgg16 |
 * preresnet164 | wrn28x10, which ignore the other fields).
 */
public record ModelSpec(String architecture, List<Integer> hidden, String activation, String head) {
  public ModelSpec {
    hidden = List.copyOf(hidden);
  }

  public boolean classifier() {
    return !architecture.equals("mlp");
  }
}
