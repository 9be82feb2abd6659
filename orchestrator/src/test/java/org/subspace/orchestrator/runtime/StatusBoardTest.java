package org.subspace.orchestrator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.plan.PlannedStage;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.vocabulary.StageState;

/**
 * The status kept move by move says what a snapshot rebuilt from every record says: each stage's
 * line, the counts, and the ETA (unfinished stages times their kind's median seconds, over the workers).
 */
class StatusBoardTest {
  private static StagePlan plan() {
    return StagePlan.of(new SweepConfigLoader().load(Path.of("config/sweeps/toy-regression.conf"),
        Map.of("subspace.ranks", "[2,5]", "inference.temperatures", "[0.5,1,2]")));
  }

  @Test
  void followsTheMovesOfTheTable() {
    StagePlan plan = plan();
    StatusBoard board = new StatusBoard(plan);
    StageTable table = new StageTable(plan.stages().stream().map(PlannedStage::key).toList(), board);
    List<PlannedStage> stages = plan.stages();
    assertTrue(Double.isNaN(board.etaSeconds(2)), "no stage of any kind has finished");

    double seconds = 1;
    for (PlannedStage stage : stages.subList(0, 6)) {
      StageManifest manifest = new StageManifest(stage.key(), stage.kind(), List.of(), Map.of(), seconds++, 1);
      table.apply(stage.key(), StageRecord::queued);
      table.apply(stage.key(), r -> r.started(1, "worker-1"));
      table.apply(stage.key(), r -> r.progressed("1/2 halfway"));
      if (stage != stages.get(5)) {
        table.apply(stage.key(), r -> r.succeeded(manifest));
      }
    }
    SweepStatus status = board.snapshot("toy", 0, false, 2, table, new ArtifactStore.Usage(0, 0), List.of());
    assertFalse(board.dirty());
    assertEquals(table.counts(), status.counts());
    assertEquals(Map.of(StageState.DONE, 5, StageState.RUNNING, 1, StageState.WAITING, stages.size() - 6),
        status.counts());
    for (int i = 0; i < stages.size(); i++) {
      StageRecord record = table.get(stages.get(i).key());
      SweepStatus.Stage line = status.stages().get(i);
      assertEquals(stages.get(i).key(), line.key());
      assertEquals(record.state(), line.state());
      assertEquals(record.progress(), line.progress());
      assertEquals(record.manifest() == null ? Double.NaN : record.manifest().computeSeconds(), line.seconds());
    }
    assertEquals(rebuiltEta(plan, table, 2), status.etaSeconds(), 1e-9);

    table.apply(stages.get(5).key(), r -> r.failed("injected"));
    assertTrue(board.dirty());
    assertEquals(rebuiltEta(plan, table, 2), board.etaSeconds(2), 1e-9);
  }

  /** The estimate as the supervisor used to compute it on every event: sorting each kind's seconds. */
  private static double rebuiltEta(StagePlan plan, StageTable table, int workers) {
    double remaining = 0;
    for (PlannedStage stage : plan.stages()) {
      if (!table.get(stage.key()).state().finished()) {
        double[] kind = plan.stages().stream().filter(s -> s.kind() == stage.kind())
            .map(s -> table.get(s.key()).manifest()).filter(m -> m != null)
            .mapToDouble(StageManifest::computeSeconds).sorted().toArray();
        remaining += kind.length == 0 ? Double.NaN : kind[kind.length / 2];
      }
    }
    return remaining / workers;
  }
}
