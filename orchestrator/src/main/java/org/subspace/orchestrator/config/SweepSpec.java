package org.subspace.orchestrator.config;

import java.nio.file.Path;
import java.util.List;
import org.subspace.workers.data.FeatureMap;
import org.subspace.workers.data.TableFormat;
import org.subspace.workers.model.MlpSpec;
import org.subspace.workers.train.TrainingSettings;

/** A validated sweep: what to train, which subspaces, methods and temperatures to evaluate. */
public record SweepSpec(
    String name,
    List<Long> seeds,
    DataSpec data,
    ModelSpec model,
    TrainingSettings training,
    SubspaceSpec subspace,
    InferenceSpec inference,
    EvaluationSpec evaluation) {

  public enum DataSource {
    GENERATED_TOY,
    TABLE
  }

  public enum SplitKind {
    REFERENCE,
    ALL,
    HELD_OUT
  }

  public record GeneratedSpec(int trainPoints, int testPoints, long seed) {}

  public record DataSpec(
      String name,
      DataSource source,
      Path path,
      TableFormat format,
      FeatureMap features,
      boolean standardize,
      SplitKind split,
      List<Integer> splits,
      GeneratedSpec generated) {}

  public record ModelSpec(List<Integer> hidden, MlpSpec.Activation activation, MlpSpec.Head head) {
    public MlpSpec forInputs(int inputs) {
      return new MlpSpec(inputs, hidden, activation, head);
    }
  }

  public enum SubspaceKind {
    PCA,
    RANDOM
  }

  public record SubspaceSpec(SubspaceKind kind, List<Integer> ranks) {
    public int maxRank() {
      return ranks.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }
  }

  public enum Method {
    ESS
  }

  public record InferenceSpec(
      Method method,
      List<Double> temperatures,
      double noiseVariance,
      double priorStd,
      int samples,
      int burnIn,
      int thin) {}

  public record GridSpec(boolean enabled, double from, double to, int points) {
    public double[] xs() {
      double[] xs = new double[points];
      for (int i = 0; i < points; i++) {
        xs[i] = from + (to - from) * i / (points - 1);
      }
      return xs;
    }
  }

  public record EvaluationSpec(int draws, GridSpec grid, int plotSamples) {}

  /** How many (split, seed, rank, temperature) configurations the sweep evaluates. */
  public int configurations() {
    int splits = data.split() == SplitKind.REFERENCE ? data.splits().size() : 1;
    return splits * seeds.size() * subspace.ranks().size() * inference.temperatures().size();
  }
}
