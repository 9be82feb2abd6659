package org.subspace.workers.random;

/**
 * Seeds of the stages, derived from the sweep's training seed so that a configuration gives
 * the same numbers whether it runs alone, in a sweep, resumed, or on another node.
 */
public final class Seeds {
  private Seeds() {}

  /** The seed of one chain; the evaluation's draws derive from it too. */
  public static long chain(long seed, String subspaceKind, int rank, String method, double temperature, String split) {
    return Rng.derive(seed, "chain/" + subspaceKind + "/" + rank + "/" + method + "/" + temperature + "/" + split);
  }
}
