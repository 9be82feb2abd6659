package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A low-dimensional subspace of weight space: PCA of the SWAG deviations, random directions, or the plane of a curve between two trained networks. */
public enum SubspaceKind implements Spelled {
  @JsonProperty("pca") PCA,
  @JsonProperty("random") RANDOM,
  @JsonProperty("curve") CURVE;
}
