package org.subspace.orchestrator.runtime;

import java.util.List;
import java.util.Map;
import org.subspace.protocol.stage.StageManifest;

/** What a sweep produced: a row per configuration in canonical order, and the manifests of its done stages. */
public record SweepOutcome(List<ResultRow> rows, Map<String, StageManifest> manifests) {
  public long failures() {
    return rows.stream().filter(r -> !r.ok()).count();
  }
}
