package org.subspace.orchestrator.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.subspace.orchestrator.plan.PlannedStage;
import org.subspace.orchestrator.plan.StagePlan;

/**
 * For each stage, how many of the stages that read its outputs have not finished yet. When the
 * count reaches zero nothing in this sweep reads those outputs again, so whatever is kept only to
 * place their readers (the scheduler's memory of which worker made an artifact) can go.
 */
final class OutputReaders {
  private final Map<String, Integer> unfinished = new HashMap<>();

  OutputReaders(StagePlan plan) {
    for (PlannedStage stage : plan.stages()) {
      unfinished.put(stage.key(), plan.downstream(stage.key()).size());
    }
  }

  /**
   * {@code stage} finished (succeeded, failed or blocked): the stages, it or those it read from,
   * whose outputs no unfinished stage reads any more.
   */
  List<String> finished(PlannedStage stage) {
    List<String> unread = new ArrayList<>();
    if (unfinished.get(stage.key()) == 0) {
      unread.add(stage.key());
    }
    for (String up : stage.upstream()) {
      if (unfinished.merge(up, -1, Integer::sum) == 0) {
        unread.add(up);
      }
    }
    return unread;
  }
}
