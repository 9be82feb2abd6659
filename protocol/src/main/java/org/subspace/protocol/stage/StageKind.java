package org.subspace.protocol.stage;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.subspace.protocol.vocabulary.Spelled;

/**
 * The four kinds of worker a stage runs on, in dependency order (curve fits are training-like
 * and run on trainers).
 */
public enum StageKind implements Spelled {
  @JsonProperty("train") TRAIN,
  @JsonProperty("subspace") SUBSPACE,
  @JsonProperty("sample") SAMPLE,
  @JsonProperty("evaluate") EVALUATE
}
