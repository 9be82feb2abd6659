package org.subspace.protocol.vocabulary;

/** A vocabulary constant: it knows its configuration spelling. */
public interface Spelled {
  default String label() {
    return Spelling.of((Enum<?>) this);
  }
}
