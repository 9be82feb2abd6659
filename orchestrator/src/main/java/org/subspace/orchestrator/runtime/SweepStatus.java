package org.subspace.orchestrator.runtime;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of a sweep for {@code GET /status}: stage counts by state, an estimate of the
 * time left, and every stage with its state, attempts, worker, compute seconds and progress.
 *
 * @param etaSeconds remaining stages times the median compute time of finished stages of their
 *     kind, over the workers; NaN until a stage of each remaining kind has finished
 */
public record SweepStatus(String sweep, long startedMillis, long updatedMillis, boolean finished, int workers,
    Map<String, Integer> counts, double etaSeconds, List<Stage> stages) {

  /** One stage: state is waiting, queued, running, done, cached, failed or blocked. */
  public record Stage(String key, String kind, String description, String state, int attempts, String worker,
      double seconds, String progress) {}
}
