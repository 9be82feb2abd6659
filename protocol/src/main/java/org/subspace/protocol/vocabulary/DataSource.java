package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a dataset's rows come from. */
public enum DataSource implements Spelled {
  @JsonProperty("generated-toy") GENERATED_TOY,
  @JsonProperty("table") TABLE,
  @JsonProperty("images") IMAGES;
}
