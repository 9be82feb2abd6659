package org.subspace.orchestrator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.vocabulary.StageState;

/** The stage state machine without actors: every move from every state, and the table's views. */
class StageRecordTest {
  private static final StageManifest MANIFEST = new StageManifest("k", StageKind.SAMPLE, List.of(), Map.of(), 1.5, 1);

  /** Each transition, the state it leads to, and the states it may start from. */
  private enum Move {
    CACHED(r -> r.cached(MANIFEST), StageState.CACHED, EnumSet.of(StageState.WAITING)),
    QUEUED(StageRecord::queued, StageState.QUEUED, EnumSet.of(StageState.WAITING, StageState.LOST)),
    STARTED(r -> r.started(r.attempts() + 1, "worker-2"), StageState.RUNNING,
        EnumSet.of(StageState.QUEUED, StageState.RUNNING)),
    PROGRESSED(r -> r.progressed("5/10 iterations"), StageState.RUNNING, EnumSet.of(StageState.RUNNING)),
    RETRYING(StageRecord::retrying, StageState.QUEUED, EnumSet.of(StageState.RUNNING)),
    LOST(StageRecord::lost, StageState.LOST, EnumSet.of(StageState.RUNNING)),
    SUCCEEDED(r -> r.succeeded(MANIFEST), StageState.DONE, EnumSet.of(StageState.RUNNING)),
    FAILED(r -> r.failed("injected fault"), StageState.FAILED, EnumSet.of(StageState.QUEUED, StageState.RUNNING)),
    BLOCKED(r -> r.blocked("upstream failed"), StageState.BLOCKED, EnumSet.of(StageState.WAITING));

    final UnaryOperator<StageRecord> transition;
    final StageState to;
    final Set<StageState> from;

    Move(UnaryOperator<StageRecord> transition, StageState to, Set<StageState> from) {
      this.transition = transition;
      this.to = to;
      this.from = from;
    }
  }

  private static final StageRecord WAITING = StageRecord.waiting("k");
  private static final StageRecord RUNNING = WAITING.queued().started(1, "worker-1");

  /** A record in each state, reached by legal moves. */
  private static final Map<StageState, StageRecord> IN = new EnumMap<>(Map.of(
      StageState.WAITING, WAITING,
      StageState.QUEUED, WAITING.queued(),
      StageState.RUNNING, RUNNING,
      StageState.LOST, RUNNING.lost(),
      StageState.DONE, RUNNING.succeeded(MANIFEST),
      StageState.CACHED, WAITING.cached(MANIFEST),
      StageState.FAILED, RUNNING.failed("injected fault"),
      StageState.BLOCKED, WAITING.blocked("upstream failed")));

  @Test
  void everyMoveIsAllowedFromItsStatesAndRefusedFromAllOthers() {
    assertEquals(EnumSet.allOf(StageState.class), IN.keySet());
    for (Map.Entry<StageState, StageRecord> start : IN.entrySet()) {
      assertEquals(start.getKey(), start.getValue().state());
      for (Move move : Move.values()) {
        String what = move + " from " + start.getKey();
        if (move.from.contains(start.getKey())) {
          assertEquals(move.to, move.transition.apply(start.getValue()).state(), what);
        } else {
          IllegalStateException refused =
              assertThrows(IllegalStateException.class, () -> move.transition.apply(start.getValue()), what);
          assertTrue(refused.getMessage().startsWith("k: a " + start.getKey().label() + " stage"),
              refused.getMessage());
        }
      }
    }
  }

  @Test
  void aRunningStageStartsAgainOnlyAtALaterAttempt() {
    StageRecord again = RUNNING.started(2, "worker-2");
    assertEquals(2, again.attempts());
    assertEquals("worker-2", again.worker());
    assertThrows(IllegalStateException.class, () -> RUNNING.started(1, "worker-2"));
  }

  @Test
  void aRetryKeepsTheFailedAttemptAndItsWorkerButNotItsProgress() {
    StageRecord retried = RUNNING.progressed("3/10 epochs").retrying();
    assertEquals(StageState.QUEUED, retried.state());
    assertEquals(1, retried.attempts());
    assertEquals("worker-1", retried.worker());
    assertNull(retried.progress());
    StageRecord second = retried.started(2, "worker-2");
    assertEquals(2, second.attempts());
    assertNull(second.progress());
  }

  @Test
  void successKeepsTheManifestAndDropsTheProgressFailureKeepsBoth() {
    StageRecord progressed = RUNNING.progressed("9/10 epochs");
    StageRecord done = progressed.succeeded(MANIFEST);
    assertEquals(MANIFEST, done.manifest());
    assertNull(done.progress());
    assertNull(done.error());
    StageRecord failed = progressed.failed("OutOfMemoryError");
    assertEquals("OutOfMemoryError", failed.error());
    assertEquals("9/10 epochs", failed.progress());
    assertEquals("worker-1", failed.worker());
    assertNull(failed.manifest());
  }

  @Test
  void lostOutputsSendTheStageBackToTheQueue() {
    StageRecord lost = RUNNING.lost();
    assertNull(lost.manifest());
    assertEquals(StageState.QUEUED, lost.queued().state());
  }

  @Test
  void aRecordHasAManifestExactlyWhenItSucceededAndAnErrorExactlyWhenItFailed() {
    assertThrows(IllegalArgumentException.class, () -> new StageRecord("k", StageState.DONE, 1, "w", null, null, null));
    assertThrows(IllegalArgumentException.class,
        () -> new StageRecord("k", StageState.RUNNING, 1, "w", null, MANIFEST, null));
    assertThrows(IllegalArgumentException.class,
        () -> new StageRecord("k", StageState.FAILED, 1, "w", null, null, null));
    assertThrows(IllegalArgumentException.class,
        () -> new StageRecord("k", StageState.QUEUED, 1, "w", null, null, "why"));
  }

  @Test
  void theTableCountsStatesAndKnowsWhenTheSweepIsOver() {
    StageTable table = new StageTable(List.of("train", "chain", "evaluate", "other"));
    assertEquals(Map.of(StageState.WAITING, 4), table.counts());
    table.apply("train", r -> r.cached(MANIFEST));
    table.apply("chain", StageRecord::queued);
    table.apply("chain", r -> r.started(1, "worker-1"));
    table.apply("other", StageRecord::queued);
    assertEquals(Map.of(StageState.CACHED, 1, StageState.RUNNING, 1, StageState.QUEUED, 1, StageState.WAITING, 1),
        table.counts());
    assertEquals(List.of(StageState.WAITING, StageState.QUEUED, StageState.RUNNING, StageState.CACHED),
        List.copyOf(table.counts().keySet()), "counts in the order a stage passes through the states");
    assertTrue(table.succeeded("train"));
    assertEquals(Map.of("train", MANIFEST), table.manifests());

    table.apply("chain", r -> r.failed("injected fault"));
    assertTrue(table.gaveUp("chain"));
    assertFalse(table.gaveUp("train"));
    table.apply("evaluate", r -> r.blocked("upstream failed"));
    assertFalse(table.finished());
    table.apply("other", r -> r.started(1, "worker-2"));
    table.apply("other", r -> r.succeeded(MANIFEST));
    assertTrue(table.finished());
    assertEquals(Map.of(StageState.CACHED, 1, StageState.DONE, 1, StageState.FAILED, 1, StageState.BLOCKED, 1),
        table.counts());
    assertEquals(StageState.DONE, table.get("other").state());
    assertThrows(IllegalArgumentException.class, () -> table.get("unknown"));
  }
}
