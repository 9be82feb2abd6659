package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Learning-rate schedules: constant, or the reference's SWAG schedule (hold, decay linearly to the SWA rate, hold). */
public enum Schedule implements Spelled {
  @JsonProperty("constant") CONSTANT,
  @JsonProperty("swag") SWAG;
}
