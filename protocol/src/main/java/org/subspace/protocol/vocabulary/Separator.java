package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Column separators of numeric tables. */
public enum Separator implements Spelled {
  /** Any run of spaces or tabs, as in the UCI files. */
  @JsonProperty("whitespace") WHITESPACE("[ \\t]+"),
  @JsonProperty("comma") COMMA(",");

  private final String regex;

  Separator(String regex) {
    this.regex = regex;
  }

  public String regex() {
    return regex;
  }
}
