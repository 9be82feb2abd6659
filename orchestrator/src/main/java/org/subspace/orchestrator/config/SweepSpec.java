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
import org.subspace.protocol.spec.SubspaceSpec;
import org.subspace.protocol.spec.TrainingSpec;
import org.subspace.protocol.stage.CheckpointPolicy;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.vocabulary.Method;
import org.subspace.protocol.vocabulary.RandomScale;
import org.subspace.protocol.vocabulary.SubspaceKind;
import org.subspace.workers.actors.FaultInjector;

/**
 * A validated sweep: one experiment per dataset (what is computed), and how to run it (which
 * changes no result and so enters no stage's spec).
 */
public record SweepSpec(String name, List<Experiment> experiments, RuntimeSpec runtime) {

  /**
   * One dataset's grid: splits x seeds train once each; every subspace kind is built once
   * per training at the largest rank; every (rank, method, temperature) is one chain.
   *
   * @param temperatures per method that samples in a subspace
   */
  public record Experiment(
      DataSpec data,
      List<String> splits,
      List<Long> seeds,
      ModelSpec model,
      TrainingSpec training,
      List<SubspaceKind> subspaceKinds,
      List<Integer> ranks,
      RandomScale randomScale,
      CurveSpec curve,
      List<Method> methods,
      Map<Method, List<Double>> temperatures,
      InferenceSpec inference,
      EvaluationSpec evaluation) {

    public int maxRank() {
      return ranks.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    /** The ranks evaluated in a subspace of {@code kind}. */
    public List<Integer> ranksOf(SubspaceKind kind) {
      return kind == SubspaceKind.CURVE ? List.of(SubspaceSpec.CURVE_RANK) : ranks;
    }

    public int configurations() {
      int perTraining = (int) methods.stream().filter(m -> !m.inSubspace()).count();
      for (Method method : methods) {
        if (method.inSubspace()) {
          for (SubspaceKind kind : subspaceKinds) {
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
      LeaseSpec lease,
      FaultInjector faults,
      MetricsSpec metrics) {

    public RuntimeSpec withWorkers(int count) {
      return new RuntimeSpec(count, slotsPerWorker, gpus, gpuStages, maxAttempts, retryBackoff, checkpoint, lease,
          faults, metrics);
    }
  }

  /**
   * How long a stage attempt may go unheard of: {@code ackTimeout} from its dispatch to the
   * worker's acknowledgement, then {@code timeout} between any two of its events. A worker
   * sends a heartbeat every {@link #heartbeat()}, so slow epochs never expire a lease, until
   * the attempt's computation has passed no epoch or iteration boundary for {@code hangTimeout}.
   */
  public record LeaseSpec(Duration ackTimeout, Duration timeout, Duration hangTimeout) {
    public static final LeaseSpec DEFAULT =
        new LeaseSpec(Duration.ofSeconds(30), Duration.ofMinutes(3), Duration.ofMinutes(30));

    /** Three heartbeats per lease: one lost or late heartbeat expires nothing. */
    public Duration heartbeat() {
      return timeout.dividedBy(3);
    }
  }

  /** The node's /metrics and /status endpoint: on or off, where (port 0: any free port). */
  public record MetricsSpec(boolean enabled, String host, int port) {}

  public int configurations() {
    return experiments.stream().mapToInt(Experiment::configurations).sum();
  }
}
