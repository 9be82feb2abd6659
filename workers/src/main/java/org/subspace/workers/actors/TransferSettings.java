package org.subspace.workers.actors;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How artifacts move between nodes ({@code subspace.transfer} in the node's configuration):
 * the TCP port this node serves artifact bytes on (0: any free one), how long either end waits
 * for progress before giving up, and how many times a failed pull is tried before the stage
 * that needed it fails.
 */
public record TransferSettings(int port, Duration stallTimeout, int tries) {
  public TransferSettings {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("subspace.transfer.port: a TCP port or 0, got " + port);
    }
    if (tries < 1) {
      throw new IllegalArgumentException("subspace.transfer.tries: at least 1, got " + tries);
    }
    if (stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException("subspace.transfer.stall-timeout: positive, got " + stallTimeout);
    }
  }

  public static TransferSettings of(ActorSystem<?> system) {
    Config c = system.settings().config().getConfig("subspace.transfer");
    return new TransferSettings(c.getInt("port"), c.getDuration("stall-timeout"), c.getInt("tries"));
  }
}
