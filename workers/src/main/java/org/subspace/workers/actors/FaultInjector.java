package org.subspace.workers.actors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.OptionalDouble;
import org.subspace.workers.random.Rng;

/**
 * A test hook that makes a {@code rate} fraction of stage attempts fail part-way, at a point
 * and in a way decided by the stage key, the attempt number and the seed: reproducible, and a
 * retry of the same stage gets a fresh decision. The ways are the failures real stages meet:
 * a non-finite loss, running out of memory, an I/O error.
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

  /** The failure a doomed attempt meets at its strike point: one of three kinds, chosen by key and attempt. */
  public Throwable failure(String stageKey, int attempt, double fraction) {
    String where = String.format("injected fault at %.0f%% of attempt %d", 100 * fraction, attempt);
    return switch (new Rng(Rng.derive(seed, "kind/" + stageKey + "/" + attempt)).nextInt(3)) {
      case 0 -> new InjectedFault(where + ": the loss is NaN");
      case 1 -> new OutOfMemoryError(where + ": out of memory");
      default -> new UncheckedIOException(where + ": disk write failed",
          new IOException("no space left on device (injected)"));
    };
  }
}
