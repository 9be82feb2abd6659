package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What an artifact in the store is; the tensor names inside each are in {@code TensorNames}. */
public enum ArtifactKind implements Spelled {
  /** A training's final state with its SWAG moments. */
  @JsonProperty("trained") TRAINED,
  @JsonProperty("train-checkpoint") TRAIN_CHECKPOINT,
  /** A fitted Bezier curve: its two ends and its middle control point. */
  @JsonProperty("curve") CURVE,
  @JsonProperty("curve-checkpoint") CURVE_CHECKPOINT,
  /** A subspace: its centre, projection rows and their scales. */
  @JsonProperty("subspace") SUBSPACE,
  /** A Markov chain's kept samples in a subspace (ESS, HMC, NUTS). */
  @JsonProperty("chain") CHAIN,
  @JsonProperty("chain-checkpoint") CHAIN_CHECKPOINT,
  /** A fitted variational posterior and its independent draws. */
  @JsonProperty("variational") VARIATIONAL,
  /** Whole networks drawn from a SWAG Gaussian. */
  @JsonProperty("swag-samples") SWAG_SAMPLES,
  /** A model average's predictions on the evaluation rows. */
  @JsonProperty("evaluation") EVALUATION,
  /** A model average's predictive on a 1-D grid. */
  @JsonProperty("grid") GRID;

  /** Its points live in a subspace (and need it to be read). */
  public boolean subspacePoints() {
    return this == CHAIN || this == VARIATIONAL;
  }
}
