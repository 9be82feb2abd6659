package org.subspace.protocol.spec;

import java.util.List;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.Architecture;
import org.subspace.protocol.vocabulary.Head;

/**
 * The network: an {@code mlp} for regression (hidden widths, activation, head) or an image
 * classifier, which ignores the other fields.
 */
public record ModelSpec(Architecture architecture, List<Integer> hidden, Activation activation, Head head) {
  public ModelSpec {
    hidden = List.copyOf(hidden);
  }

  public boolean classifier() {
    return architecture.classifier();
  }
}
