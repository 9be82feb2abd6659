package org.subspace.orchestrator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.spec.EvaluateSpec;
import org.subspace.protocol.spec.SampleSpec;
import org.subspace.protocol.spec.StageKeys;
import org.subspace.protocol.spec.StageSpec;
import org.subspace.protocol.spec.SubspaceSpec;
import org.subspace.protocol.spec.TrainSpec;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.vocabulary.Method;

/**
 * The planner's keys cannot drift from what the stages read: on a sweep with every subspace
 * kind, every method and two ranks, each stage's key is derived from its spec; changing any
 * component of any stage's spec changes its key and every descendant's key; every setting of
 * a sweep file that the sweep uses reaches some key; orchestration settings reach none.
 */
class StagePlanKeysTest {
  private static final String SWEEP = String.join("\n",
      "sweep { name = keys, seeds = [1] }",
      "data { name = toy, source = generated-toy, features = toy-quadratic, standardize = false, split = held-out",
      "       generated { train-points = 40, test-points = 20, seed = 0 } }",
      "model { hidden = [8, 8], activation = relu, head = mean }",
      "training { epochs = 20, batch-size = 10, lr = 0.01, swag { start-epoch = 10, max-deviations = 5 } }",
      "subspace { kinds = [pca, random, curve], ranks = [2, 3], random.scale = pca }",
      "inference { methods = [ess, vi, vi-full, hmc, nuts, sgd, swag], temperatures = [1.0, 2.0] }",
      "evaluation { draws = 10, grid { enabled = true, from = -10, to = 10, points = 20 } }");

  /**
   * Settings of the defaults this sweep does not use, each with the reason: changing them
   * may change no key. Every other setting must change some.
   */
  private static final Map<String, String> UNUSED_HERE = Map.ofEntries(
      Map.entry("data.path", "generated data has no file"),
      Map.entry("data.format.separator", "tables only"),
      Map.entry("data.format.header-lines", "tables only"),
      Map.entry("data.format.target-column", "tables only"),
      Map.entry("data.format.drop-columns", "tables only"),
      Map.entry("data.splits", "reference splits only; this sweep is held-out"),
      Map.entry("data.images.format", "images only"),
      Map.entry("data.images.train-count", "images only"),
      Map.entry("data.images.augment", "images only"),
      Map.entry("training.swa-lr", "read by the swag schedule only; this one is constant"),
      Map.entry("sweep.name", "a label"));

  private static Path sweepFile;
  private static StagePlan plan;

  @BeforeAll
  static void plan(@TempDir Path dir) throws IOException {
    sweepFile = Files.writeString(dir.resolve("keys.conf"), SWEEP);
    plan = plan(Map.of());
  }

  private static StagePlan plan(Map<String, String> overrides) {
    return StagePlan.of(new SweepConfigLoader().load(sweepFile, overrides));
  }

  @Test
  void everyKeyIsDerivedFromItsSpecAndTheKeysItIsKeyedOn() {
    int chains = 2 * (2 * 5 * 2) + 5 * 2; // pca and random at ranks 2 and 3, the curve plane; 5 methods, 2 temperatures
    assertEquals(2 + 1 + 1 + 2 + 3 + 2 * chains, plan.stages().size(),
        "trainings of seeds 1 and 2, the curve, SGD, SWAG's draws and evaluation, 3 subspaces, chains and evaluations");
    for (PlannedStage stage : plan.stages()) {
      assertEquals(stage.key(), StageKeys.of(stage.spec(), stage.keyedOn()), stage.description());
      Set<String> above = ancestors(stage.key());
      assertTrue(above.containsAll(stage.keyedOn()), "keyed on stages it waits for: " + stage.description());
    }
  }

  @Test
  void changingAnySpecComponentChangesTheStageAndEveryDescendant() {
    Set<Class<?>> checked = new HashSet<>();
    int perturbations = 0;
    for (PlannedStage stage : plan.stages()) {
      if (!checked.add(stage.spec().getClass())) {
        continue; // the first stage of each spec type: the others differ only in values
      }
      for (SpecPerturbations.Perturbed change : SpecPerturbations.of((Record) stage.spec())) {
        if (SpecPerturbations.isLocation(change.path())) {
          continue; // in no key (StageKeysTest)
        }
        Map<String, String> keys = rekeyed(stage.key(), (StageSpec) change.value());
        assertNotEquals(stage.key(), keys.get(stage.key()), stage.description() + ": " + change.path());
        // A chain names its subspace in its own spec (see chainsNameTheirSubspaceInTheirOwnSpec), so that one
        // subspace stage at the largest rank serves every smaller rank.
        if (!(stage.spec() instanceof SubspaceSpec)) {
          for (String below : descendants(stage.key())) {
            assertNotEquals(below, keys.get(below), plan.get(below).description() + " after " + stage.description()
                + ": " + change.path());
          }
        }
        perturbations++;
      }
    }
    assertEquals(9, checked.size(), "every spec type: " + checked);
    assertTrue(perturbations > 200, "perturbations: " + perturbations);
  }

  @Test
  void chainsNameTheirSubspaceInTheirOwnSpec() {
    int chains = 0;
    for (PlannedStage stage : plan.stages()) {
      if (stage.spec() instanceof SampleSpec.InSubspace sample) {
        assertTrue(sample.method().inSubspace(), sample.method().label());
        PlannedStage subspace = plan.get(stage.upstream().get(0));
        SubspaceSpec own = sample.posterior().subspace();
        assertEquals(((SubspaceSpec) subspace.spec()).withRank(own.rank()), own, stage.description());
        assertEquals(subspace.keyedOn(), stage.keyedOn(), "keyed on what the subspace is built from");
        PlannedStage evaluation = plan.stages().stream().filter(s -> s.upstream().contains(stage.key()))
            .findFirst().orElseThrow();
        assertEquals(own.rank(), ((EvaluateSpec) evaluation.spec()).rank());
        chains++;
      }
    }
    assertEquals(50, chains);
  }

  @Test
  void everySettingTheSweepUsesReachesSomeKey() {
    Config resolved = ConfigFactory.parseString(SWEEP)
        .withFallback(ConfigFactory.parseResources(SweepConfigLoader.class, "/sweep-defaults.conf")).resolve();
    Map<String, String> noEffect = new TreeMap<>();
    List<String> tried = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> setting : leaves(resolved).entrySet()) {
      String key = setting.getKey();
      if (key.startsWith("orchestrator.") || key.startsWith("datasets") || key.startsWith("dataset-catalog")) {
        continue;
      }
      StagePlan changed = firstAccepted(key, setting.getValue());
      if (changed == null) {
        continue;
      }
      tried.add(key);
      Set<String> changedStages = plan.stages().stream().map(PlannedStage::key)
          .filter(k -> changed.get(k) == null).collect(Collectors.toSet());
      if (changedStages.isEmpty()) {
        noEffect.put(key, setting.getValue().render());
      }
    }
    assertTrue(tried.size() > 50, "settings tried: " + tried);
    Map<String, String> unexpected = new TreeMap<>(noEffect);
    unexpected.keySet().removeAll(UNUSED_HERE.keySet());
    assertEquals(Map.of(), unexpected, "settings that reach no stage key");
  }

  @Test
  void orchestrationSettingsChangeNoKey() {
    Map<String, String> orchestration = new LinkedHashMap<>();
    orchestration.put("orchestrator.workers", "3");
    orchestration.put("orchestrator.slots-per-worker", "2");
    orchestration.put("orchestrator.gpus", "[0, 1]");
    orchestration.put("orchestrator.gpu-stages", "[train, sample]");
    orchestration.put("orchestrator.max-attempts", "7");
    orchestration.put("orchestrator.retry-backoff", "2s");
    orchestration.put("orchestrator.checkpoint.train-epochs", "3");
    orchestration.put("orchestrator.checkpoint.sample-iterations", "5");
    orchestration.put("orchestrator.metrics.enabled", "false");
    orchestration.put("orchestrator.metrics.port", "0");
    orchestration.put("orchestrator.fault-injection.rate", "0.3");
    orchestration.put("orchestrator.fault-injection.seed", "9");
    orchestration.put("orchestrator.fault-injection.drop-run-stage", "[train]");
    orchestration.put("orchestrator.fault-injection.drop-succeeded", "[sample]");
    orchestration.put("orchestrator.fault-injection.kill-worker", "[evaluate]");
    orchestration.put("orchestrator.lease.ack-timeout", "1s");
    orchestration.put("orchestrator.lease.timeout", "2s");
    orchestration.put("orchestrator.lease.hang-timeout", "5m");
    orchestration.put("orchestrator.fault-injection.hang", "[subspace]");
    orchestration.put("sweep.name", "renamed");
    List<String> keys = plan.stages().stream().map(PlannedStage::key).toList();
    assertEquals(keys, plan(orchestration).stages().stream().map(PlannedStage::key).toList());
  }

  @Test
  void theNoiseVarianceReachesEveryStageThatReadsIt() {
    StagePlan changed = plan(Map.of("inference.noise-variance", "0.5"));
    for (PlannedStage stage : plan.stages()) {
      boolean reads = stage.spec() instanceof EvaluateSpec
          || stage.spec() instanceof SampleSpec sample && sample.method().inSubspace();
      assertEquals(reads, changed.get(stage.key()) == null, stage.description());
    }
    // The case that once came from the cache: SWAG's evaluation reads the noise variance, its draws do not.
    PlannedStage swagEvaluation = plan.ofKind(StageKind.EVALUATE).stream()
        .filter(s -> s.configuration().method() == Method.SWAG).findFirst().orElseThrow();
    assertEquals(null, changed.get(swagEvaluation.key()));
    assertTrue(plan.stages().stream().filter(s -> s.spec() instanceof TrainSpec)
        .allMatch(s -> changed.get(s.key()) != null), "training reads training.loss-noise-variance instead");
  }

  @Test
  void hmcStepsReachHmcChainsAlone() {
    StagePlan changed = plan(Map.of("inference.hamiltonian.leapfrog-steps", "7"));
    for (PlannedStage stage : plan.stages()) {
      boolean hmc = stage.configuration() != null && stage.configuration().method() == Method.HMC;
      assertEquals(hmc, changed.get(stage.key()) == null, stage.description());
    }
  }

  /** The keys of every stage after replacing one stage's spec, derived the planner's way, in dependency order. */
  private static Map<String, String> rekeyed(String target, StageSpec replacement) {
    Map<String, String> keys = new HashMap<>();
    for (PlannedStage stage : plan.stages()) {
      StageSpec spec = stage.key().equals(target) ? replacement : stage.spec();
      keys.put(stage.key(), StageKeys.of(spec, stage.keyedOn().stream().map(keys::get).toList()));
    }
    return keys;
  }

  private static Set<String> ancestors(String key) {
    Set<String> found = new HashSet<>();
    for (String up : plan.get(key).upstream()) {
      if (found.add(up)) {
        found.addAll(ancestors(up));
      }
    }
    return found;
  }

  private static Set<String> descendants(String key) {
    return plan.stages().stream().map(PlannedStage::key).filter(k -> ancestors(k).contains(key))
        .collect(Collectors.toSet());
  }

  /** The plan with {@code key} changed to the first of a few nearby values the loader accepts, or null. */
  private static StagePlan firstAccepted(String key, ConfigValue value) {
    for (String candidate : candidates(value)) {
      try {
        return plan(Map.of(key, candidate));
      } catch (BadInputException rejected) {
        // An invalid combination with the rest of the sweep: try the next value.
      }
    }
    return null;
  }

  private static List<String> candidates(ConfigValue value) {
    Object raw = value.unwrapped();
    if (value.valueType() == ConfigValueType.NUMBER) {
      double v = ((Number) raw).doubleValue();
      if (raw instanceof Integer || raw instanceof Long) {
        return List.of(String.valueOf((long) v + 1), String.valueOf((long) v - 1), String.valueOf((long) v * 2));
      }
      return List.of(String.valueOf(v * 0.5), String.valueOf(v * 1.5 + 0.1), String.valueOf(v - 0.1));
    } else if (value.valueType() == ConfigValueType.BOOLEAN) {
      return List.of(String.valueOf(!(Boolean) raw));
    } else if (value.valueType() == ConfigValueType.NULL) {
      return List.of("3", "0.5", "[1.5]");
    } else if (value.valueType() == ConfigValueType.LIST) {
      return List.of("[7]", "[0.5, 1.5]", "[ess, vi]", "[]");
    }
    return List.of("renamed", "tanh", "heteroscedastic", "swag", "unit", "raw", "all", "reference", "table");
  }

  private static Map<String, ConfigValue> leaves(Config config) {
    Map<String, ConfigValue> leaves = new TreeMap<>();
    collect(config.root(), "", leaves);
    return leaves;
  }

  private static void collect(com.typesafe.config.ConfigObject object, String prefix, Map<String, ConfigValue> out) {
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      if (entry.getValue() instanceof com.typesafe.config.ConfigObject child && !child.isEmpty()) {
        collect(child, prefix + entry.getKey() + ".", out);
      } else {
        out.put(prefix + entry.getKey(), entry.getValue());
      }
    }
  }
}
