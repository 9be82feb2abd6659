package org.subspace.orchestrator.plan;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.subspace.protocol.spec.StageSpec;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.StageManifest;

/**
 * A node of the stage graph: its content key (derived from {@code spec} and {@code keyedOn}),
 * what it waits for, and how to build the stage message once its upstream stages are done
 * (their outputs become its inputs).
 *
 * @param keyedOn the upstream keys its key is derived from; a chain is keyed on the training
 *     (or curve) its subspace comes from, while it waits for the subspace stage itself
 * @param upstream the stages it waits for
 * @param configuration the result row it produces (evaluate stages) or belongs to (sample stages); null otherwise
 */
public record PlannedStage(
    String key,
    StageSpec spec,
    String dataset,
    List<String> keyedOn,
    List<String> upstream,
    Function<Map<String, StageManifest>, Stage> build,
    Configuration configuration,
    String description) {

  public PlannedStage {
    keyedOn = List.copyOf(keyedOn);
    upstream = List.copyOf(upstream);
  }

  public StageKind kind() {
    return spec.workerKind();
  }
}
