package org.subspace.protocol.spec;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.subspace.protocol.stage.StageKind;

/**
 * Everything one stage reads, as one record: the stage's content key is derived from it (with
 * its upstream keys and {@link #algorithmVersion()}) by {@link StageKeys}, so a setting the
 * stage reads cannot be left out of its key. Orchestration settings (workers, retries,
 * checkpoint intervals, fault injection, metrics) change no result and are never in a spec.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "spec")
@JsonSubTypes({
  @JsonSubTypes.Type(value = TrainSpec.class, name = "train"),
  @JsonSubTypes.Type(value = CurveFitSpec.class, name = "curve"),
  @JsonSubTypes.Type(value = SubspaceSpec.class, name = "subspace"),
  @JsonSubTypes.Type(value = SampleSpec.Ess.class, name = "ess"),
  @JsonSubTypes.Type(value = SampleSpec.Variational.class, name = "variational"),
  @JsonSubTypes.Type(value = SampleSpec.Hmc.class, name = "hmc"),
  @JsonSubTypes.Type(value = SampleSpec.Nuts.class, name = "nuts"),
  @JsonSubTypes.Type(value = SampleSpec.Swag.class, name = "swag"),
  @JsonSubTypes.Type(value = EvaluateSpec.class, name = "evaluate")
})
public sealed interface StageSpec permits TrainSpec, CurveFitSpec, SubspaceSpec, SampleSpec, EvaluateSpec {
  /**
   * Raised when the stage's code changes what it computes from the same spec, so that results
   * of the old code in a store are not taken for the new code's.
   */
  int algorithmVersion();

  /** The kind of worker that runs it. */
  StageKind workerKind();
}
