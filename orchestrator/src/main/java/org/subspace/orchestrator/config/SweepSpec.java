package org.subspace.orchestrator.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.spec.EvaluationSpec;
import org.subspace.protocol.spec.InferenceSpec;
import org.subspace.protocol.spec.ModelSpec;
import org.subspace.protocol.spec.TrainingSpec;
import org.subspace.protocol.stage.StageKind;
import org.subspace.workers.stages.FaultInjector;
import org.subspace.workers.stages.StageExecutor;

/** A validated sweep: one experiment per dataset, and how to run it. */
public record SweepSpec(String name, List<Experiment> experiments, RuntimeSpec runtime) {

  /**
   * One dataset's grid: splits x seeds train once each; every subspace kind is built once
   * per training at the largest rank; every (rank, method, temperature) is one chain.
   */
  public record Experiment(
      DataSpec data,
      List<String> splits,
      List<Long> seeds,
      ModelSpec model,
      TrainingSpec training,
      List<String> subspaceKinds,
      List<Integer> ranks,
      List<String> methods,
      List<Double> temperatures,
      InferenceSpec inference,
      EvaluationSpec evaluation) {

    public int maxRank() {
      return ranks.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    public int configurations() {
      return splits.size() * seeds.size() * subspaceKinds.size() * ranks.size() * methods.size() * temperatures.size();
    }
  }

  /** How the sweep runs: none of it changes the results. */
  public record RuntimeSpec(
      int workers,
      int slotsPerWorker,
      List<Integer> gpus,
      Set<StageKind> gpuStages,
      int maxAttempts,
      Duration retryBackoff,
      StageExecutor.CheckpointPolicy checkpoint,
      FaultInjector faults) {

    public RuntimeSpec withWorkers(int count) {
      return new RuntimeSpec(count, slotsPerWorker, gpus, gpuStages, maxAttempts, retryBackoff, checkpoint, faults);
    }
  }

  public int configurations() {
    return experiments.stream().mapToInt(Experiment::configurations).sum();
  }
}
