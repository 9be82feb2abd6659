package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** File layouts of labelled image datasets. */
public enum ImageFormat implements Spelled {
  @JsonProperty("optdigits") OPTDIGITS,
  @JsonProperty("idx") IDX,
  @JsonProperty("cifar10") CIFAR10,
  @JsonProperty("cifar100") CIFAR100;
}
