package org.subspace.orchestrator.plan;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.StageManifest;

/**
 * A node of the stage graph: its content key, what it waits for, and how to build the stage
 * message once its upstream stages are done (their outputs become its inputs).
 *
 * @param configuration the result row it produces (evaluate stages) or belongs to (sample stages); null otherwise
 */
public record PlannedStage(
    String key,
    StageKind kind,
    String dataset,
    List<String> upstream,
    Function<Map<String, StageManifest>, Stage> build,
    Configuration configuration,
    String description) {

  public PlannedStage {
    upstream = List.copyOf(upstream);
  }
}
