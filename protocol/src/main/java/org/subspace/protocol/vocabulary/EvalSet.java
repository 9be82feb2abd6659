package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which rows a configuration is scored on: held-out test rows, or its own training rows (split = all). */
public enum EvalSet implements Spelled {
  @JsonProperty("test") TEST,
  @JsonProperty("train") TRAIN;
}
