package org.subspace.orchestrator.runtime;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.vocabulary.StageState;

/** The record of every stage of a sweep, by key; the one place a sweep keeps its stages' states. */
final class StageTable {
  private final Map<String, StageRecord> records = new LinkedHashMap<>();
  /** The manifests of the stages that succeeded, kept as they succeed: every submission reads them. */
  private final Map<String, StageManifest> manifests = new LinkedHashMap<>();

  /** Every stage waiting. */
  StageTable(List<String> keys) {
    keys.forEach(key -> records.put(key, StageRecord.waiting(key)));
  }

  StageRecord get(String key) {
    StageRecord record = records.get(key);
    if (record == null) {
      throw new IllegalArgumentException("no stage " + key + " in this sweep");
    }
    return record;
  }

  /** Moves a stage by one of its record's transitions; returns its new record. */
  StageRecord apply(String key, UnaryOperator<StageRecord> transition) {
    StageRecord next = transition.apply(get(key));
    records.put(key, next);
    if (next.manifest() != null) {
      manifests.put(key, next.manifest());
    }
    return next;
  }

  /** Its outputs are in the store. */
  boolean succeeded(String key) {
    return get(key).state().succeeded();
  }

  /** It failed or is blocked: nothing below it can run. */
  boolean gaveUp(String key) {
    StageState state = get(key).state();
    return state.finished() && !state.succeeded();
  }

  /** Nothing more happens to any stage in this run. */
  boolean finished() {
    return records.values().stream().allMatch(r -> r.state().finished());
  }

  /** How many stages are in each state; states no stage is in are absent. */
  Map<StageState, Integer> counts() {
    Map<StageState, Integer> counts = new EnumMap<>(StageState.class);
    records.values().forEach(r -> counts.merge(r.state(), 1, Integer::sum));
    return counts;
  }

  /** The manifests of the stages that succeeded, by key, in the order they succeeded (a read-only view). */
  Map<String, StageManifest> manifests() {
    return Collections.unmodifiableMap(manifests);
  }
}
