package org.subspace.workers.actors;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How artifacts move between nodes ({@code subspace.transfer} in the node's configuration):
 * chunks in flight per transfer, how long either end waits for progress before giving up, and
 * how many times a failed pull is tried before the stage that needed it fails.
 */
public record TransferSettings(int window, Duration stallTimeout, int tries) {
  public TransferSettings {
    if (window < 1 || tries < 1 || stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException("subspace.transfer: window and tries must be at least 1 and "
          + "stall-timeout positive, got " + window + ", " + tries + ", " + stallTimeout);
    }
  }

  public static TransferSettings of(ActorSystem<?> system) {
    Config c = system.settings().config().getConfig("subspace.transfer");
    return new TransferSettings(c.getInt("window"), c.getDuration("stall-timeout"), c.getInt("tries"));
  }
}
