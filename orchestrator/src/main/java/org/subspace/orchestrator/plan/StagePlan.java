package org.subspace.orchestrator.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.config.SweepSpec.Experiment;
import org.subspace.protocol.spec.InferenceSpec;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.stage.StageKind;
import org.subspace.workers.Labels;
import org.subspace.workers.data.Datasets;
import org.subspace.workers.random.Seeds;
import org.subspace.workers.stages.StageExecutor;
import org.subspace.workers.store.ArtifactStore;

/**
 * The sweep's stage graph. Shared upstream work appears once: one training per (dataset,
 * split, seed, training settings), one curve per pair of trainings (seed s to seed s + 1), one
 * subspace per kind at the largest rank, one chain per (kind, rank, method, temperature), one
 * evaluation per chain.
 *
 * <p>A stage's key is the sha256 of its settings and its upstream keys in canonical JSON, so
 * the same work always has the same key, across runs and sweeps. A chain's key names the
 * training, the subspace kind and its rank rather than the subspace stage: rank r is the
 * leading r rows of any larger subspace, so adding a larger rank reuses every existing chain.
 */
public final class StagePlan {
  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  private final String name;
  private final Map<String, PlannedStage> stages = new LinkedHashMap<>();

  private StagePlan(String name) {
    this.name = name;
  }

  public static StagePlan of(SweepSpec spec) {
    StagePlan plan = new StagePlan(spec.name());
    for (Experiment e : spec.experiments()) {
      plan.addExperiment(e);
    }
    return plan;
  }

  /** The sweep's name. */
  public String name() {
    return name;
  }

  /** Stages in dependency order. */
  public List<PlannedStage> stages() {
    return List.copyOf(stages.values());
  }

  public PlannedStage get(String key) {
    return stages.get(key);
  }

  public List<PlannedStage> ofKind(StageKind kind) {
    return stages.values().stream().filter(s -> s.kind() == kind).toList();
  }

  private void add(PlannedStage stage) {
    stages.putIfAbsent(stage.key(), stage);
  }

  private void addExperiment(Experiment e) {
    String evalSet = e.data().split().equals(Labels.of(Datasets.SplitKind.ALL)) ? "train" : "test";
    for (String split : e.splits()) {
      for (long seed : e.seeds()) {
        String trainKey = addTraining(e, split, seed);
        if (e.methods().contains("sgd")) {
          addSgd(e, split, seed, trainKey, evalSet);
        }
        if (e.methods().contains("swag")) {
          addSwag(e, split, seed, trainKey, evalSet);
        }
        if (e.methods().stream().noneMatch(Experiment.SUBSPACE_METHODS::contains)) {
          continue;
        }
        for (String kind : e.subspaceKinds()) {
          // What a chain's points mean: the training (PCA), the training and the scale (random), the curve.
          Object source;
          String subspaceKey;
          if (kind.equals("curve")) {
            source = addCurve(e, split, seed, trainKey);
            subspaceKey = addSubspace(e, split, seed, kind, Experiment.CURVE_RANK, (String) source,
                StageExecutor.CURVE);
          } else {
            source = kind.equals("random") ? List.of(trainKey, e.randomScale()) : trainKey;
            subspaceKey = addSubspace(e, split, seed, kind, e.maxRank(), trainKey, StageExecutor.TRAINED);
          }
          for (int rank : e.ranksOf(kind)) {
            for (String method : e.methods()) {
              if (Experiment.SUBSPACE_METHODS.contains(method)) {
                for (double temperature : e.temperatures().get(method)) {
                  addChain(e, split, seed, kind, rank, method, temperature, source, subspaceKey, evalSet);
                }
              }
            }
          }
        }
      }
    }
  }

  private String addTraining(Experiment e, String split, long seed) {
    // The data enter the key by content (contentSha256, or the generator's settings), not by where
    // they lie: the same sweep keeps its stages when run from another folder or from the sweep.conf
    // it recorded, whose data paths are absolute.
    String trainKey = key("train", Map.of("data", e.data().withPath(null), "split", split, "model", e.model(),
        "training", e.training(), "seed", seed));
    add(new PlannedStage(trainKey, StageKind.TRAIN, e.data().name(), List.of(),
        done -> new Stage.Train(trainKey, e.data(), split, e.model(), e.training(), seed), null,
        String.format("train %s split %s seed %d", e.data().name(), split, seed)));
    return trainKey;
  }

  /** The curve from the training of {@code seed} to that of {@code seed + 1} (an ordinary training, shared). */
  private String addCurve(Experiment e, String split, long seed, String startKey) {
    String endKey = addTraining(e, split, seed + 1);
    String curveKey = key("curve", Map.of("curve", e.curve(), "seed", seed, "upstream", List.of(startKey, endKey)));
    add(new PlannedStage(curveKey, StageKind.TRAIN, e.data().name(), List.of(startKey, endKey),
        done -> new Stage.FitCurve(curveKey, e.data(), split, e.model(), e.curve(), seed,
            done.get(startKey).output(StageExecutor.TRAINED), done.get(endKey).output(StageExecutor.TRAINED)),
        null, String.format("fit curve %s split %s seeds %d-%d", e.data().name(), split, seed, seed + 1)));
    return curveKey;
  }

  /** A subspace of {@code kind} built from the output ({@code inputKind}) of {@code upstreamKey}. */
  private String addSubspace(Experiment e, String split, long seed, String kind, int rank, String upstreamKey,
      String inputKind) {
    Map<String, Object> settings = new LinkedHashMap<>(Map.of("kind", kind, "rank", rank, "seed", seed,
        "upstream", upstreamKey));
    if (kind.equals("random")) {
      settings.put("scale", e.randomScale());
    }
    String subspaceKey = key("subspace", settings);
    add(new PlannedStage(subspaceKey, StageKind.SUBSPACE, e.data().name(), List.of(upstreamKey),
        done -> new Stage.BuildSubspace(subspaceKey, kind, rank, seed, e.randomScale(),
            done.get(upstreamKey).output(inputKind)), null,
        String.format("%s subspace rank %d of %s split %s seed %d", kind, rank, e.data().name(), split, seed)));
    return subspaceKey;
  }

  /** The SGD baseline: the trained network itself, evaluated. */
  private void addSgd(Experiment e, String split, long seed, String trainKey, String evalSet) {
    Configuration configuration =
        new Configuration(e.data().name(), split, seed, "none", 0, "sgd", Double.NaN, evalSet);
    String evaluateKey = key("evaluate", Map.of("method", "sgd", "evaluation", e.evaluation(),
        "noise_variance", e.inference().noiseVariance(), "upstream", trainKey));
    add(new PlannedStage(evaluateKey, StageKind.EVALUATE, e.data().name(), List.of(trainKey),
        done -> new Stage.Evaluate(evaluateKey, "sgd", 0, seed, e.inference(), e.evaluation(), e.data(), split,
            e.model(), null, done.get(trainKey).output(StageExecutor.TRAINED)),
        configuration, "evaluate " + configuration.label()));
  }

  /** The SWAG baseline: networks drawn from the training's SWAG Gaussian, evaluated. */
  private void addSwag(Experiment e, String split, long seed, String trainKey, String evalSet) {
    Configuration configuration =
        new Configuration(e.data().name(), split, seed, "none", 0, "swag", Double.NaN, evalSet);
    long swagSeed = Seeds.chain(seed, "none", 0, "swag", Double.NaN, split);
    String sampleKey = key("sample", Map.of("method", "swag", "samples", e.inference().samples(),
        "scale", e.inference().swagScale(), "seed", swagSeed, "upstream", trainKey));
    add(new PlannedStage(sampleKey, StageKind.SAMPLE, e.data().name(), List.of(trainKey),
        done -> new Stage.Sample(sampleKey, "swag", 0, Double.NaN, swagSeed, e.inference(), e.data(), split,
            e.model(), done.get(trainKey).output(StageExecutor.TRAINED)),
        configuration, "draw " + configuration.label()));
    addEvaluation(e, split, configuration, swagSeed, null, sampleKey, StageExecutor.SWAG_SAMPLES);
  }

  private void addChain(Experiment e, String split, long seed, String kind, int rank, String method,
      double temperature, Object source, String subspaceKey, String evalSet) {
    Configuration configuration =
        new Configuration(e.data().name(), split, seed, kind, rank, method, temperature, evalSet);
    long chainSeed = Seeds.chain(seed, kind, rank, method, temperature, split);
    // Only the settings the method reads enter its key.
    InferenceSpec inference = e.inference();
    boolean variational = method.startsWith("vi");
    Object settings = switch (method) {
      case "ess" -> List.of(inference.noiseVariance(), inference.priorStd(), inference.samples(), inference.burnIn(),
          inference.thin());
      case "hmc", "nuts" -> List.of(inference.noiseVariance(), inference.priorStd(), inference.samples(),
          inference.hamiltonian());
      default -> List.of(inference.noiseVariance(), inference.samples(), inference.vi());
    };
    String sampleKey = key("sample", Map.of("subspace", kind, "rank", rank, "method", method,
        "temperature", temperature, "seed", chainSeed, "settings", settings, "upstream", source));
    add(new PlannedStage(sampleKey, StageKind.SAMPLE, e.data().name(), List.of(subspaceKey),
        done -> new Stage.Sample(sampleKey, method, rank, temperature, chainSeed, inference, e.data(), split,
            e.model(), done.get(subspaceKey).output(StageExecutor.SUBSPACE)),
        configuration, (variational ? "fit " : "chain ") + configuration.label()));
    addEvaluation(e, split, configuration, chainSeed, subspaceKey, sampleKey,
        variational ? StageExecutor.VARIATIONAL : StageExecutor.CHAIN);
  }

  /** Model averaging over a sample stage's output (with the subspace it lives in, if any). */
  private void addEvaluation(Experiment e, String split, Configuration configuration, long seed, String subspaceKey,
      String sampleKey, String samplesKind) {
    String evaluateKey = key("evaluate", Map.of("evaluation", e.evaluation(), "upstream", sampleKey));
    List<String> upstream = subspaceKey == null ? List.of(sampleKey) : List.of(subspaceKey, sampleKey);
    add(new PlannedStage(evaluateKey, StageKind.EVALUATE, e.data().name(), upstream,
        done -> new Stage.Evaluate(evaluateKey, configuration.method(), configuration.rank(), seed, e.inference(),
            e.evaluation(), e.data(), split, e.model(),
            subspaceKey == null ? null : done.get(subspaceKey).output(StageExecutor.SUBSPACE),
            done.get(sampleKey).output(samplesKind)),
        configuration, "evaluate " + configuration.label()));
  }

  /** The nearest stage of {@code kind} at or above {@code key}, or null. */
  public PlannedStage ancestor(String key, StageKind kind) {
    PlannedStage stage = stages.get(key);
    if (stage.kind() == kind) {
      return stage;
    }
    for (String up : stage.upstream()) {
      PlannedStage found = ancestor(up, kind);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  /** The content key: sha256 of the stage's kind and settings as canonical JSON. */
  static String key(String kind, Map<String, Object> settings) {
    Map<String, Object> content = new LinkedHashMap<>(settings);
    content.put("stage", kind);
    try {
      return ArtifactStore.sha256(CANONICAL.writeValueAsString(content).getBytes(StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stage settings are plain records", e);
    }
  }
}
