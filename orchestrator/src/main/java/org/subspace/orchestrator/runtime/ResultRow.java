package org.subspace.orchestrator.runtime;

import java.util.Map;
import org.subspace.orchestrator.plan.Configuration;

/**
 * One evaluated configuration: its coordinates, the evaluate stage's key, the metrics of its
 * chain and evaluation (empty when it failed, with {@code error} saying why) and the compute
 * seconds of its training and its chain.
 */
public record ResultRow(
    Configuration configuration,
    String stageKey,
    Map<String, Double> metrics,
    double trainSeconds,
    double sampleSeconds,
    String error) {

  public ResultRow {
    metrics = Map.copyOf(metrics);
  }

  public boolean ok() {
    return error == null;
  }

  public double metric(String name) {
    Double value = metrics.get(name);
    return value == null ? Double.NaN : value;
  }
}
