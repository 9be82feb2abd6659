package org.subspace.orchestrator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.plan.PlannedStage;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.protocol.stage.StageKind;

/** A stage's outputs are unread once every stage that reads them has finished, and not before. */
class OutputReadersTest {
  @Test
  void theLastReaderToFinishReleasesItsInputs() {
    // 1 training, 1 subspace, 2 chains, 2 evaluations.
    StagePlan plan = StagePlan.of(new SweepConfigLoader().load(Path.of("config/sweeps/toy-regression.conf"),
        Map.of("inference.temperatures", "[1,2]")));
    OutputReaders readers = new OutputReaders(plan);
    PlannedStage train = plan.ofKind(StageKind.TRAIN).get(0);
    PlannedStage subspace = plan.ofKind(StageKind.SUBSPACE).get(0);
    List<PlannedStage> chains = plan.ofKind(StageKind.SAMPLE);
    List<PlannedStage> evaluations = plan.ofKind(StageKind.EVALUATE);

    assertEquals(List.of(), readers.finished(train), "the subspace still reads the training");
    assertEquals(List.of(train.key()), readers.finished(subspace), "the subspace was the training's only reader");
    assertEquals(List.of(), readers.finished(chains.get(0)), "its evaluation reads the chain");
    assertEquals(List.of(), readers.finished(chains.get(1)));
    assertEquals(List.of(evaluations.get(0).key(), chains.get(0).key()), readers.finished(evaluations.get(0)),
        "an evaluation is read by no stage; the subspace still has a reader");
    assertEquals(List.of(evaluations.get(1).key(), subspace.key(), chains.get(1).key()),
        readers.finished(evaluations.get(1)));
  }
}
