package org.subspace.workers.random;

import org.subspace.protocol.vocabulary.Method;
import org.subspace.protocol.vocabulary.SubspaceKind;

/**
 * Seeds of the stages, derived from the sweep's training seed so that a configuration gives
 * the same numbers whether it runs alone, in a sweep, resumed, or on another node.
 */
public final class Seeds {
  private Seeds() {}

  /** The seed of one chain ({@code kind} null for the SWAG baseline); the evaluation's draws derive from it too. */
  public static long chain(long seed, SubspaceKind kind, int rank, Method method, double temperature, String split) {
    // These spellings are part of every seed: changing one changes the numbers of every sweep.
    String subspace = kind == null ? "none" : kind.label();
    return Rng.derive(seed, "chain/" + subspace + "/" + rank + "/" + method.label() + "/" + temperature + "/" + split);
  }
}
