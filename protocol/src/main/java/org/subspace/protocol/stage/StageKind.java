package org.subspace.protocol.stage;

import java.util.Locale;

/** The four kinds of stage of the pipeline, in dependency order. */
public enum StageKind {
  TRAIN,
  SUBSPACE,
  SAMPLE,
  EVALUATE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
