package org.subspace.orchestrator.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.subspace.protocol.spec.CurveSpec;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.spec.EvaluationSpec;
import org.subspace.protocol.spec.InferenceSpec;
import org.subspace.protocol.spec.ModelSpec;
import org.subspace.protocol.spec.TrainingSpec;
import org.subspace.protocol.stage.StageKind;
import org.subspace.workers.stages.FaultInjector;
import org.subspace.protocol.stage.CheckpointPolicy;

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
      String randomScale,
      CurveSpec curve,
      List<String> methods,
      Map<String, List<Double>> temperatures,
      InferenceSpec inference,
      EvaluationSpec evaluation) {

    /** Methods that sample in a subspace at a temperature. */
    public static final List<String> SUBSPACE_METHODS = List.of("ess", "vi", "vi-full", "hmc", "nuts");
    /** The curve subspace is a plane, whatever ranks the other kinds use. */
    public static final int CURVE_RANK = 2;
    /** Baselines on the trained network: no subspace, no temperature. */
    public static final List<String> BASELINES = List.of("sgd", "swag");

    public int maxRank() {
      return ranks.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    /** The ranks evaluated in a subspace of {@code kind}. */
    public List<Integer> ranksOf(String kind) {
      return kind.equals("curve") ? List.of(CURVE_RANK) : ranks;
    }

    public int configurations() {
      int perTraining = (int) methods.stream().filter(BASELINES::contains).count();
      for (String method : methods) {
        if (SUBSPACE_METHODS.contains(method)) {
          for (String kind : subspaceKinds) {
            perTraining += ranksOf(kind).size() * temperatures.get(method).size();
          }
        }
      }
      return splits.size() * seeds.size() * perTraining;
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
      CheckpointPolicy checkpoint,
      FaultInjector faults,
      MetricsSpec metrics) {

    public RuntimeSpec withWorkers(int count) {
      return new RuntimeSpec(count, slotsPerWorker, gpus, gpuStages, maxAttempts, retryBackoff, checkpoint, faults,
          metrics);
    }
  }

  /** The node's /metrics and /status endpoint: on or off, where (port 0: any free port). */
  public record MetricsSpec(boolean enabled, String host, int port) {}

  public int configurations() {
    return experiments.stream().mapToInt(Experiment::configurations).sum();
  }
}
