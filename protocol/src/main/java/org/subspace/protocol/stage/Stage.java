package org.subspace.protocol.stage;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import org.subspace.protocol.CborSerializable;
import org.subspace.protocol.spec.CurveSpec;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.spec.EvaluationSpec;
import org.subspace.protocol.spec.InferenceSpec;
import org.subspace.protocol.spec.ModelSpec;
import org.subspace.protocol.spec.TrainingSpec;
import org.subspace.protocol.store.ArtifactRef;

/**
 * A unit of work with everything a worker needs to do it: settings and input artifacts.
 * {@code key} is the stage's content key (a hash of its settings and its inputs' keys): the
 * same key means the same result, so a stage whose key is done never runs again.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Stage.Train.class, name = "train"),
  @JsonSubTypes.Type(value = Stage.FitCurve.class, name = "curve"),
  @JsonSubTypes.Type(value = Stage.BuildSubspace.class, name = "subspace"),
  @JsonSubTypes.Type(value = Stage.Sample.class, name = "sample"),
  @JsonSubTypes.Type(value = Stage.Evaluate.class, name = "evaluate")
})
public sealed interface Stage extends CborSerializable {
  String key();

  StageKind kind();

  /** The artifacts this stage reads: a worker that lacks one fetches it first. */
  List<ArtifactRef> inputs();

  /** SGD with SWAG on one split of a dataset; outputs the final training state with SWAG moments. */
  record Train(String key, DataSpec data, String split, ModelSpec model, TrainingSpec training, long seed)
      implements Stage {
    @Override
    public StageKind kind() {
      return StageKind.TRAIN;
    }

    @Override
    public List<ArtifactRef> inputs() {
      return List.of();
    }
  }

  /**
   * Mode connectivity: the middle control point of a quadratic Bezier curve between two trained
   * networks ({@code start}, {@code end}: training outputs), fitted on the split's training
   * rows. A training-like stage: it runs on trainer actors.
   */
  record FitCurve(String key, DataSpec data, String split, ModelSpec model, CurveSpec curve, long seed,
      ArtifactRef start, ArtifactRef end) implements Stage {
    @Override
    public StageKind kind() {
      return StageKind.TRAIN;
    }

    @Override
    public List<ArtifactRef> inputs() {
      return List.of(start, end);
    }
  }

  /**
   * A subspace of the largest rank any consumer needs (smaller ranks are its leading rows):
   * pca or random from a training's output ({@code randomScale} unit | pca), or curve (rank 2)
   * from a fitted curve.
   */
  record BuildSubspace(String key, String subspaceKind, int rank, long seed, String randomScale, ArtifactRef trained)
      implements Stage {
    @Override
    public StageKind kind() {
      return StageKind.SUBSPACE;
    }

    @Override
    public List<ArtifactRef> inputs() {
      return List.of(trained);
    }
  }

  /**
   * Posterior samples: ESS, VI (diagonal or full covariance), HMC or NUTS ({@code method} ess |
   * vi | vi-full | hmc | nuts) in the rank-{@code rank} leading rows of
   * {@code subspace} at a temperature, or SWAG (method swag, rank 0) drawing networks from the
   * SWAG Gaussian of the training in {@code subspace}'s place.
   */
  record Sample(
      String key,
      String method,
      int rank,
      double temperature,
      long seed,
      InferenceSpec inference,
      DataSpec data,
      String split,
      ModelSpec model,
      ArtifactRef subspace)
      implements Stage {
    @Override
    public StageKind kind() {
      return StageKind.SAMPLE;
    }

    @Override
    public List<ArtifactRef> inputs() {
      return List.of(subspace);
    }
  }

  /**
   * Model averaging on the evaluation rows (and the grid, if asked) over {@code samples}: subspace
   * points (a chain, with {@code subspace}), networks (SWAG draws), or the SGD solution itself
   * (a training state; {@code subspace} null).
   */
  record Evaluate(
      String key,
      String method,
      int rank,
      long seed,
      InferenceSpec inference,
      EvaluationSpec evaluation,
      DataSpec data,
      String split,
      ModelSpec model,
      ArtifactRef subspace,
      ArtifactRef samples)
      implements Stage {
    @Override
    public StageKind kind() {
      return StageKind.EVALUATE;
    }

    @Override
    public List<ArtifactRef> inputs() {
      return subspace == null ? List.of(samples) : List.of(subspace, samples);
    }
  }
}
