package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A regression MLP's output head. */
public enum Head implements Spelled {
  /** One output, the mean; the noise variance is fixed by the likelihood. */
  @JsonProperty("mean") MEAN,
  /** Two outputs: mean and variance {@code softplus(o2) + softplus(v)}, v a learned scalar. */
  @JsonProperty("heteroscedastic") HETEROSCEDASTIC
}
