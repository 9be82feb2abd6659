package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How random subspace directions are scaled: unit norm, or the PCA singular values of the same training. */
public enum RandomScale implements Spelled {
  @JsonProperty("unit") UNIT,
  @JsonProperty("pca") PCA;
}
