package org.subspace.protocol.stage;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import org.subspace.protocol.CborSerializable;
import org.subspace.protocol.spec.CurveFitSpec;
import org.subspace.protocol.spec.EvaluateSpec;
import org.subspace.protocol.spec.SampleSpec;
import org.subspace.protocol.spec.StageSpec;
import org.subspace.protocol.spec.SubspaceSpec;
import org.subspace.protocol.spec.TrainSpec;
import org.subspace.protocol.store.ArtifactRef;

/**
 * A unit of work with everything a worker needs to do it: its spec (everything it reads) and
 * its input artifacts. {@code key} is the stage's content key ({@code StageKeys.of} its spec
 * and its upstream keys): the same key means the same result, so a stage whose key is done
 * never runs again.
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

  StageSpec spec();

  /** The artifacts this stage reads: a worker that lacks one fetches it first. */
  List<ArtifactRef> inputs();

  default StageKind kind() {
    return spec().workerKind();
  }

  /** SGD with SWAG on one split of a dataset. */
  record Train(String key, TrainSpec spec) implements Stage {
    @Override
    public List<ArtifactRef> inputs() {
      return List.of();
    }
  }

  /** The curve between two trainings' outputs, {@code start} and {@code end}. */
  record FitCurve(String key, CurveFitSpec spec, ArtifactRef start, ArtifactRef end) implements Stage {
    @Override
    public List<ArtifactRef> inputs() {
      return List.of(start, end);
    }
  }

  /** A subspace built from {@code source}: a training's output (pca, random) or a fitted curve. */
  record BuildSubspace(String key, SubspaceSpec spec, ArtifactRef source) implements Stage {
    @Override
    public List<ArtifactRef> inputs() {
      return List.of(source);
    }
  }

  /**
   * Samples drawn from {@code source}: a subspace (whose leading rows the spec's posterior
   * uses) or, for SWAG, a training's output.
   */
  record Sample(String key, SampleSpec spec, ArtifactRef source) implements Stage {
    @Override
    public List<ArtifactRef> inputs() {
      return List.of(source);
    }
  }

  /**
   * Model averaging over {@code samples}: subspace points (a chain or variational draws, with
   * their {@code subspace}), networks (SWAG draws), or the SGD solution itself (a training's
   * output; {@code subspace} null).
   */
  record Evaluate(String key, EvaluateSpec spec, ArtifactRef subspace, ArtifactRef samples) implements Stage {
    @Override
    public List<ArtifactRef> inputs() {
      return subspace == null ? List.of(samples) : List.of(subspace, samples);
    }
  }
}
