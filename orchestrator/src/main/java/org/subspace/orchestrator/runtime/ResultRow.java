package org.subspace.orchestrator.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.subspace.orchestrator.plan.Configuration;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.vocabulary.EvalSet;
import org.subspace.protocol.vocabulary.Method;
import org.subspace.protocol.vocabulary.Spelled;
import org.subspace.protocol.vocabulary.SubspaceKind;

/**
 * One evaluated configuration, a row of results.csv: its coordinates, the metrics its chain and
 * its evaluation reported, the compute seconds of its training and its chain, and whether it
 * failed and why. The components are the file's columns, in their order and with their
 * spelling ({@link ResultsCsv}). A metric a configuration does not have (a classifier's RMSE,
 * a baseline's temperature, anything of a failed row) is NaN, or null for the counts.
 */
public record ResultRow(
    @JsonProperty("dataset") String dataset,
    @JsonProperty("split") String split,
    @JsonProperty("seed") long seed,
    @JsonProperty("subspace") @JsonSerialize(nullsUsing = ResultsCsv.NoSubspace.class)
    @JsonDeserialize(using = ResultsCsv.Subspace.class) SubspaceKind subspace,
    @JsonProperty("rank") int rank,
    @JsonProperty("method") Method method,
    @JsonProperty("temperature") double temperature,
    @JsonProperty("test_ll") double testLl,
    @JsonProperty("rmse") double rmse,
    @JsonProperty("coverage95") double coverage95,
    @JsonProperty("train_seconds") @JsonSerialize(using = ResultsCsv.Seconds.class) double trainSeconds,
    @JsonProperty("sample_seconds") @JsonSerialize(using = ResultsCsv.Seconds.class) double sampleSeconds,
    @JsonProperty("status") Status status,
    @JsonProperty("mixture_ll") double mixtureLl,
    @JsonProperty("std_test_ll") double stdTestLl,
    @JsonProperty("std_rmse") double stdRmse,
    @JsonProperty("eval_set") EvalSet evalSet,
    @JsonProperty("eval_points") Long evalPoints,
    @JsonProperty("samples") Long samples,
    @JsonProperty("likelihood_evals") Long likelihoodEvals,
    @JsonProperty("gradient_evals") Long gradientEvals,
    @JsonProperty("accuracy") double accuracy,
    @JsonProperty("nll") double nll,
    @JsonProperty("ece") double ece,
    @JsonProperty("brier") double brier,
    @JsonProperty("error") String error,
    @JsonProperty("stage_key") String stageKey) {

  public enum Status implements Spelled {
    @JsonProperty("ok") OK,
    @JsonProperty("failed") FAILED
  }

  public ResultRow {
    Objects.requireNonNull(dataset, "no dataset");
    Objects.requireNonNull(split, "no split");
    Objects.requireNonNull(method, "no method");
    Objects.requireNonNull(evalSet, "no eval_set");
    Objects.requireNonNull(status, "no status");
    Objects.requireNonNull(stageKey, "no stage_key");
    if ((status == Status.FAILED) != (error != null)) {
      throw new IllegalArgumentException("a failed row, and only a failed row, says why: " + status + ", " + error);
    }
    // One row per line, so a torn append is a torn last line.
    error = error == null ? null : error.replaceAll("\\R", " ");
  }

  /**
   * The row of an evaluate stage from the manifests of its training, its chain (null for the
   * baselines, which have none) and its own; without the last, the row failed with {@code error}.
   * Metrics with the name of a column fill it; the evaluation's win over the chain's.
   */
  public static ResultRow of(Configuration c, String stageKey, StageManifest training, StageManifest chain,
      StageManifest evaluation, String error) {
    Map<String, Double> metrics = new HashMap<>();
    if (evaluation != null) {
      metrics.putAll(chain == null ? Map.of() : chain.metrics());
      metrics.putAll(evaluation.metrics());
    }
    return new ResultRow(c.dataset(), c.split(), c.seed(), c.subspace(), c.rank(), c.method(), c.temperature(),
        number(metrics, "test_ll"), number(metrics, "rmse"), number(metrics, "coverage95"),
        training == null ? 0 : training.computeSeconds(), chain == null ? 0 : chain.computeSeconds(),
        evaluation == null ? Status.FAILED : Status.OK,
        number(metrics, "mixture_ll"), number(metrics, "std_test_ll"), number(metrics, "std_rmse"), c.evalSet(),
        count(metrics, "eval_points"), count(metrics, "samples"), count(metrics, "likelihood_evals"),
        count(metrics, "gradient_evals"),
        number(metrics, "accuracy"), number(metrics, "nll"), number(metrics, "ece"), number(metrics, "brier"),
        evaluation == null ? error : null, stageKey);
  }

  public Configuration configuration() {
    return new Configuration(dataset, split, seed, subspace, rank, method, temperature, evalSet);
  }

  public boolean ok() {
    return status == Status.OK;
  }

  /** Scored as a classifier (accuracy, NLL, ECE, Brier) rather than a regression (RMSE, coverage). */
  public boolean classification() {
    return !Double.isNaN(accuracy);
  }

  private static double number(Map<String, Double> metrics, String name) {
    return metrics.getOrDefault(name, Double.NaN);
  }

  private static Long count(Map<String, Double> metrics, String name) {
    Double value = metrics.get(name);
    return value == null ? null : Math.round(value);
  }
}
