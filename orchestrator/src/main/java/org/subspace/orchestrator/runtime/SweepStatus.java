package org.subspace.orchestrator.runtime;

import java.util.List;
import java.util.Map;
import org.subspace.protocol.vocabulary.StageState;
import org.subspace.workers.store.ArtifactStore;

/**
 * A snapshot of a sweep for {@code GET /status}: stage counts by state (only the states some
 * stage is in), an estimate of the time left, and every stage with its state, attempts,
 * worker, compute seconds and progress.
 *
 * @param etaSeconds remaining stages times the median compute time of finished stages of their
 *     kind, over the workers; NaN until a stage of each remaining kind has finished
 * @param store what the sweep's store holds (artifacts and bytes), counted at most every 30 s
 * @param warnings what the operator should know, e.g. that the cluster runs without TLS on an
 *     address others can reach (--insecure)
 */
public record SweepStatus(String sweep, long startedMillis, long updatedMillis, boolean finished, int workers,
    Map<StageState, Integer> counts, double etaSeconds, ArtifactStore.Usage store, List<Stage> stages,
    List<String> warnings) {

  public SweepStatus {
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  public record Stage(String key, String kind, String description, StageState state, int attempts, String worker,
      double seconds, String progress) {}
}
