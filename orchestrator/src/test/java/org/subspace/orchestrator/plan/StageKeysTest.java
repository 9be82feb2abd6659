package org.subspace.orchestrator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.subspace.protocol.spec.CurveFitSpec;
import org.subspace.protocol.spec.CurveSpec;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.spec.EvaluateSpec;
import org.subspace.protocol.spec.EvaluationSpec;
import org.subspace.protocol.spec.ModelSpec;
import org.subspace.protocol.spec.Problem;
import org.subspace.protocol.spec.SampleSpec;
import org.subspace.protocol.spec.StageKeys;
import org.subspace.protocol.spec.StageSpec;
import org.subspace.protocol.spec.SubspacePosterior;
import org.subspace.protocol.spec.SubspaceSpec;
import org.subspace.protocol.spec.TrainSpec;
import org.subspace.protocol.spec.TrainingSpec;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.Architecture;
import org.subspace.protocol.vocabulary.DataSource;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.protocol.vocabulary.ImageFormat;
import org.subspace.protocol.vocabulary.Method;
import org.subspace.protocol.vocabulary.RandomScale;
import org.subspace.protocol.vocabulary.Schedule;
import org.subspace.protocol.vocabulary.Separator;
import org.subspace.protocol.vocabulary.SplitKind;
import org.subspace.protocol.vocabulary.SubspaceKind;

/**
 * A stage's key is derived from its whole spec: changing any leaf of any spec (one at a time,
 * every component of every nested record, list and enum) changes the key, except where a data
 * file lies (it enters by its sha256), and every leaf of every spec type is exercised by at
 * least one of the specs below.
 */
class StageKeysTest {
  private static final List<String> UPSTREAM = List.of("a".repeat(64), "b".repeat(64));
  private static final DataSpec TABLE = new DataSpec("boston", DataSource.TABLE, "data.txt", "c".repeat(64),
      Separator.WHITESPACE, 1, -1, List.of(3), FeatureMap.RAW, true, SplitKind.REFERENCE, 400, 200, 0, null);
  private static final DataSpec IMAGES = new DataSpec("digits", DataSource.IMAGES, "digits", "d".repeat(64),
      Separator.COMMA, 0, 0, List.of(), FeatureMap.TOY_QUADRATIC, false, SplitKind.HELD_OUT, 10, 20, 3,
      new DataSpec.Images(ImageFormat.OPTDIGITS, 100, true));
  private static final Problem REGRESSION = new Problem(TABLE, "3",
      new ModelSpec(Architecture.MLP, List.of(50, 20), Activation.RELU, Head.MEAN));
  private static final Problem CLASSIFICATION = new Problem(IMAGES, "held-out",
      new ModelSpec(Architecture.CNN_SMALL, List.of(), Activation.TANH, Head.HETEROSCEDASTIC));
  private static final TrainingSpec TRAINING = new TrainingSpec(300, 30, 1e-3, Schedule.SWAG, 1e-4, 0.9, 1e-4, 1.0,
      200, 20);
  private static final EvaluationSpec EVALUATION =
      new EvaluationSpec(30, new EvaluationSpec.GridSpec(true, -10, 10, 100), 10);
  private static final SubspacePosterior POSTERIOR = new SubspacePosterior(REGRESSION,
      new SubspaceSpec(SubspaceKind.RANDOM, 5, 7, RandomScale.PCA), 0.05, 1.5, 1.6487);
  /** A second posterior, so that the image settings and a change of subspace kind are exercised too. */
  private static final SubspacePosterior IMAGE_POSTERIOR = new SubspacePosterior(CLASSIFICATION,
      new SubspaceSpec(SubspaceKind.PCA, 2, 0, null), 1.0, 100, 5);

  static Stream<StageSpec> specs() {
    SampleSpec.StepSizeAdaptation adaptation = new SampleSpec.StepSizeAdaptation(200, 0.8);
    return Stream.of(
        new TrainSpec(REGRESSION, TRAINING, 1),
        new TrainSpec(CLASSIFICATION, TRAINING, 2),
        new CurveFitSpec(REGRESSION, new CurveSpec(300, 30, 0.01, 0.9, 1e-4), 1),
        new CurveFitSpec(CLASSIFICATION, new CurveSpec(300, 30, 0.01, 0.9, 1e-4), 1),
        new SubspaceSpec(SubspaceKind.RANDOM, 20, 1, RandomScale.UNIT),
        new SubspaceSpec(SubspaceKind.PCA, 2, 0, null),
        new SubspaceSpec(SubspaceKind.CURVE, 2, 0, null),
        new SampleSpec.Ess(POSTERIOR, 30, 5, 2, -42),
        new SampleSpec.Ess(IMAGE_POSTERIOR, 30, 5, 2, -42),
        new SampleSpec.Variational(POSTERIOR, Method.VI, 30, 30, 50, 0.01, -3, 5),
        new SampleSpec.Variational(IMAGE_POSTERIOR, Method.VI_FULL, 30, 30, 50, 0.01, -3, 5),
        new SampleSpec.Nuts(POSTERIOR, 100, adaptation, 8, 9),
        new SampleSpec.Nuts(IMAGE_POSTERIOR, 100, adaptation, 8, 9),
        new SampleSpec.Hmc(POSTERIOR, 100, adaptation, 20, 9),
        new SampleSpec.Hmc(IMAGE_POSTERIOR, 100, adaptation, 20, 9),
        new SampleSpec.Swag(30, 0.5, 11),
        new EvaluateSpec(REGRESSION, Method.ESS, 5, 0.05, EVALUATION, -42),
        new EvaluateSpec(CLASSIFICATION, Method.SWAG, 0, 1.0, EVALUATION, 3));
  }

  @ParameterizedTest
  @MethodSource("specs")
  void changingAnyLeafOfTheSpecChangesTheKey(StageSpec spec) {
    String key = StageKeys.of(spec, UPSTREAM);
    List<SpecPerturbations.Perturbed> changes = SpecPerturbations.of((Record) spec);
    assertTrue(!changes.isEmpty(), "a spec has settings: " + spec);
    for (SpecPerturbations.Perturbed change : changes) {
      String changed = StageKeys.of((StageSpec) change.value(), UPSTREAM);
      if (SpecPerturbations.isLocation(change.path())) {
        assertEquals(key, changed, "data enter by content, not by where they lie: " + change.path());
      } else {
        assertNotEquals(key, changed, change.path() + " is not in the key");
      }
    }
  }

  @Test
  void everyLeafOfEverySpecTypeIsExercised() {
    for (Class<?> type : specs().map(Object::getClass).distinct().toList()) {
      Set<String> changed = specs().filter(type::isInstance)
          .flatMap(spec -> SpecPerturbations.of((Record) spec).stream())
          .map(p -> p.path().replaceAll("\\[(\\d+|\\+)]", "[]"))
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(leaves(type, ""), changed, type.getSimpleName());
    }
  }

  @Test
  void theUpstreamKeysTheirOrderAndTheKindOfStageAreInTheKey() {
    StageSpec spec = new SampleSpec.Swag(30, 0.5, 11);
    String key = StageKeys.of(spec, UPSTREAM);
    assertEquals(key, StageKeys.of(new SampleSpec.Swag(30, 0.5, 11), List.copyOf(UPSTREAM)), "deterministic");
    assertNotEquals(key, StageKeys.of(spec, List.of(UPSTREAM.get(1), UPSTREAM.get(0))));
    assertNotEquals(key, StageKeys.of(spec, UPSTREAM.subList(0, 1)));
    assertNotEquals(key, StageKeys.of(spec, List.of()));
    String canonical = StageKeys.canonical(spec, UPSTREAM);
    assertTrue(canonical.contains("\"spec\":\"swag\"") && canonical.contains("\"version\":1"), canonical);
  }

  /** Every leaf path of a record type: its components, and those of the records inside it; lists end in []. */
  private static Set<String> leaves(Class<?> type, String prefix) {
    Set<String> paths = new TreeSet<>();
    for (RecordComponent component : type.getRecordComponents()) {
      String path = prefix + component.getName();
      if (component.getType().isRecord()) {
        paths.addAll(leaves(component.getType(), path + "."));
      } else if (component.getType() == List.class) {
        Class<?> element = (Class<?>) ((ParameterizedType) component.getGenericType()).getActualTypeArguments()[0];
        paths.add(path + "[]");
        assertTrue(!element.isRecord(), "lists of records are not perturbed: " + path);
      } else {
        paths.add(path);
      }
    }
    return paths;
  }
}
