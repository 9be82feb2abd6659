package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The nonlinearity between an MLP's layers. */
public enum Activation implements Spelled {
  @JsonProperty("relu") RELU,
  @JsonProperty("tanh") TANH,
  @JsonProperty("sigmoid") SIGMOID;
}
