package org.subspace.orchestrator.runtime;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.orchestrator.plan.PlannedStage;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.StageManifest;

/**
 * What {@code /status} shows of a sweep, kept up to date move by move (a {@link StageTable}
 * observer) so that a snapshot never walks the stage graph: each stage's line, and per stage
 * kind the stages not yet finished and the running median of the compute seconds of those that
 * succeeded. A move costs O(log n); a snapshot copies the lines. It is dirty from a move to the
 * next snapshot, so the supervisor publishes only when something changed.
 */
final class StatusBoard implements StageTable.Observer {
  private final Map<String, Integer> index = new HashMap<>();
  private final PlannedStage[] planned;
  private final SweepStatus.Stage[] lines;
  private final Map<StageKind, RunningMedian> seconds = new EnumMap<>(StageKind.class);
  private final Map<StageKind, Integer> unfinished = new EnumMap<>(StageKind.class);
  private boolean dirty = true;

  /** Every stage of the plan waiting, as a fresh {@link StageTable} has them. */
  StatusBoard(StagePlan plan) {
    List<PlannedStage> stages = plan.stages();
    planned = stages.toArray(new PlannedStage[0]);
    lines = new SweepStatus.Stage[planned.length];
    for (int i = 0; i < planned.length; i++) {
      index.put(planned[i].key(), i);
      lines[i] = line(planned[i], StageRecord.waiting(planned[i].key()));
      unfinished.merge(planned[i].kind(), 1, Integer::sum);
    }
    for (StageKind kind : StageKind.values()) {
      seconds.put(kind, new RunningMedian());
    }
  }

  @Override
  public void moved(StageRecord before, StageRecord after) {
    int i = index.get(after.key());
    StageKind kind = planned[i].kind();
    lines[i] = line(planned[i], after);
    if (!before.state().finished() && after.state().finished()) {
      unfinished.merge(kind, -1, Integer::sum);
    }
    if (before.manifest() == null && after.manifest() != null) {
      seconds.get(kind).add(after.manifest().computeSeconds());
    }
    dirty = true;
  }

  /** Something moved since the last snapshot. */
  boolean dirty() {
    return dirty;
  }

  /**
   * Unfinished stages times the median compute seconds of their kind, over the workers; NaN while
   * some kind with unfinished stages has no finished one.
   */
  double etaSeconds(int workers) {
    double remaining = 0;
    for (Map.Entry<StageKind, Integer> left : unfinished.entrySet()) {
      if (left.getValue() > 0) {
        remaining += left.getValue() * seconds.get(left.getKey()).median();
      }
    }
    return remaining / workers;
  }

  /** The snapshot to publish now; clears the dirty flag. */
  SweepStatus snapshot(String sweep, long startedMillis, boolean finished, int workers, StageTable table,
      ArtifactStore.Usage store, List<String> warnings) {
    dirty = false;
    return new SweepStatus(sweep, startedMillis, System.currentTimeMillis(), finished, workers, table.counts(),
        etaSeconds(workers), store, Collections.unmodifiableList(Arrays.asList(lines.clone())), warnings);
  }

  private static SweepStatus.Stage line(PlannedStage stage, StageRecord record) {
    StageManifest manifest = record.manifest();
    return new SweepStatus.Stage(stage.key(), stage.kind().label(), stage.description(), record.state(),
        record.attempts(), record.worker(), manifest == null ? Double.NaN : manifest.computeSeconds(),
        record.progress());
  }
}
