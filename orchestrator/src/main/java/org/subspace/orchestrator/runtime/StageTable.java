package org.subspace.orchestrator.runtime;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.vocabulary.StageState;

/**
 * The record of every stage of a sweep, by key; the one place a sweep keeps its stages' states.
 * It counts the stages in each state as they move, so reading the counts or asking whether the
 * sweep is over costs the same for 20 stages as for 20,000.
 */
final class StageTable {
  /** Told of every move, after it is made: what is derived from the states follows them here. */
  @FunctionalInterface
  interface Observer {
    void moved(StageRecord before, StageRecord after);
  }

  private static final StageState[] STATES = StageState.values();

  private final Map<String, StageRecord> records = new LinkedHashMap<>();
  /** The manifests of the stages that succeeded, kept as they succeed: every submission reads them. */
  private final Map<String, StageManifest> manifests = new LinkedHashMap<>();
  /** Stages per state, by ordinal. */
  private final int[] counts = new int[STATES.length];
  private final Observer observer;

  /** Every stage waiting. */
  StageTable(List<String> keys) {
    this(keys, (before, after) -> { });
  }

  /** Every stage waiting; {@code observer} hears of each move. */
  StageTable(List<String> keys, Observer observer) {
    this.observer = observer;
    keys.forEach(key -> records.put(key, StageRecord.waiting(key)));
    counts[StageState.WAITING.ordinal()] = records.size();
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
    StageRecord before = get(key);
    StageRecord next = transition.apply(before);
    records.put(key, next);
    counts[before.state().ordinal()]--;
    counts[next.state().ordinal()]++;
    if (next.manifest() != null) {
      manifests.put(key, next.manifest());
    }
    observer.moved(before, next);
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
    int finished = 0;
    for (StageState state : STATES) {
      if (state.finished()) {
        finished += counts[state.ordinal()];
      }
    }
    return finished == records.size();
  }

  /** How many stages are in each state; states no stage is in are absent. */
  Map<StageState, Integer> counts() {
    Map<StageState, Integer> present = new EnumMap<>(StageState.class);
    for (StageState state : STATES) {
      if (counts[state.ordinal()] > 0) {
        present.put(state, counts[state.ordinal()]);
      }
    }
    return present;
  }

  /** The manifests of the stages that succeeded, by key, in the order they succeeded (a read-only view). */
  Map<String, StageManifest> manifests() {
    return Collections.unmodifiableMap(manifests);
  }
}
