package org.subspace.workers.stages;

import java.util.OptionalDouble;
import org.subspace.workers.random.Rng;

/**
 * A test hook that makes a {@code rate} fraction of stage attempts fail part-way, at a point
 * decided by the stage key, the attempt number and the seed: reproducible, and a retry of the
 * same stage gets a fresh decision.
 */
public record FaultInjector(double rate, long seed) {
  public static final FaultInjector NONE = new FaultInjector(0.0, 0L);

  /** Thrown at the chosen point of a doomed attempt. */
  public static final class InjectedFault extends RuntimeException {
    public InjectedFault(String message) {
      super(message);
    }
  }

  /** The fraction of the work at which this attempt fails, or empty if it does not. */
  public OptionalDouble strikeAt(String stageKey, int attempt) {
    if (rate <= 0) {
      return OptionalDouble.empty();
    }
    Rng rng = new Rng(Rng.derive(seed, stageKey + "/" + attempt));
    if (rng.nextDouble() >= rate) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(0.2 + 0.6 * rng.nextDouble());
  }
}
