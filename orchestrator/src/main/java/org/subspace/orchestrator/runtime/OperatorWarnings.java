package org.subspace.orchestrator.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;

/**
 * What the operator should know about a node (it runs without TLS on an address others reach),
 * carried in its actor system's settings: what the command line warns about at start, the
 * sweep's {@code /status} shows for as long as it runs.
 */
public final class OperatorWarnings {
  private static final String SETTING = "subspace.open-warning";

  private OperatorWarnings() {}

  public static Config with(Config settings, String warning) {
    return settings.withValue(SETTING, ConfigValueFactory.fromAnyRef(warning));
  }

  public static List<String> of(Config settings) {
    return settings.hasPath(SETTING) ? List.of(settings.getString(SETTING)) : List.of();
  }
}
