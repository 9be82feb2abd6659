package org.subspace.orchestrator.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.config.SweepSpec.Experiment;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.stage.StageKind;
import org.subspace.workers.Labels;
import org.subspace.workers.data.Datasets;
import org.subspace.workers.random.Seeds;
import org.subspace.workers.stages.StageExecutor;
import org.subspace.workers.store.ArtifactStore;

/**
 * The sweep's stage graph. Shared upstream work appears once: one training per (dataset,
 * split, seed, training settings), one subspace per kind at the largest rank, one chain per
 * (kind, rank, method, temperature), one evaluation per chain.
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

  private final Map<String, PlannedStage> stages = new LinkedHashMap<>();

  private StagePlan() {}

  public static StagePlan of(SweepSpec spec) {
    StagePlan plan = new StagePlan();
    for (Experiment e : spec.experiments()) {
      plan.addExperiment(e);
    }
    return plan;
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
        String trainKey = key("train", Map.of("data", e.data(), "split", split, "model", e.model(),
            "training", e.training(), "seed", seed));
        add(new PlannedStage(trainKey, StageKind.TRAIN, List.of(),
            done -> new Stage.Train(trainKey, e.data(), split, e.model(), e.training(), seed), null,
            String.format("train %s split %s seed %d", e.data().name(), split, seed)));
        for (String kind : e.subspaceKinds()) {
          int maxRank = e.maxRank();
          String subspaceKey = key("subspace", Map.of("kind", kind, "rank", maxRank, "seed", seed,
              "upstream", trainKey));
          add(new PlannedStage(subspaceKey, StageKind.SUBSPACE, List.of(trainKey),
              done -> new Stage.BuildSubspace(subspaceKey, kind, maxRank, seed,
                  done.get(trainKey).output(StageExecutor.TRAINED)), null,
              String.format("%s subspace rank %d of %s split %s seed %d", kind, maxRank, e.data().name(), split,
                  seed)));
          for (int rank : e.ranks()) {
            for (String method : e.methods()) {
              for (double temperature : e.temperatures()) {
                addChain(e, split, seed, kind, rank, method, temperature, trainKey, subspaceKey, evalSet);
              }
            }
          }
        }
      }
    }
  }

  private void addChain(Experiment e, String split, long seed, String kind, int rank, String method,
      double temperature, String trainKey, String subspaceKey, String evalSet) {
    Configuration configuration =
        new Configuration(e.data().name(), split, seed, kind, rank, method, temperature, evalSet);
    long chainSeed = Seeds.chain(seed, kind, rank, method, temperature, split);
    String sampleKey = key("sample", Map.of("subspace", kind, "rank", rank, "method", method,
        "temperature", temperature, "seed", chainSeed, "inference", e.inference(), "upstream", trainKey));
    add(new PlannedStage(sampleKey, StageKind.SAMPLE, List.of(subspaceKey),
        done -> new Stage.Sample(sampleKey, method, rank, temperature, chainSeed, e.inference(), e.data(), split,
            e.model(), done.get(subspaceKey).output(StageExecutor.SUBSPACE)),
        configuration, "chain " + configuration.label()));
    String evaluateKey = key("evaluate", Map.of("evaluation", e.evaluation(), "upstream", sampleKey));
    add(new PlannedStage(evaluateKey, StageKind.EVALUATE, List.of(subspaceKey, sampleKey),
        done -> new Stage.Evaluate(evaluateKey, rank, chainSeed, e.inference(), e.evaluation(), e.data(), split,
            e.model(), done.get(subspaceKey).output(StageExecutor.SUBSPACE),
            done.get(sampleKey).output(StageExecutor.CHAIN)),
        configuration, "evaluate " + configuration.label()));
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

  /** Counts per stage kind, in pipeline order. */
  public Map<StageKind, Integer> counts() {
    Map<StageKind, Integer> counts = new LinkedHashMap<>();
    for (StageKind kind : StageKind.values()) {
      counts.put(kind, ofKind(kind).size());
    }
    return counts;
  }

  public List<Configuration> configurations() {
    List<Configuration> out = new ArrayList<>();
    for (PlannedStage s : ofKind(StageKind.EVALUATE)) {
      out.add(s.configuration());
    }
    return out;
  }
}
