package org.subspace.protocol.spec;

import java.util.List;

/** The network: hidden widths, activation (relu | tanh | sigmoid), head (mean | heteroscedastic). */
public record ModelSpec(List<Integer> hidden, String activation, String head) {
  public ModelSpec {
    hidden = List.copyOf(hidden);
  }
}
