package org.subspace.orchestrator.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.subspace.orchestrator.config.SweepSpec.Experiment;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.protocol.spec.CurveFitSpec;
import org.subspace.protocol.spec.EvaluateSpec;
import org.subspace.protocol.spec.InferenceSpec;
import org.subspace.protocol.spec.Problem;
import org.subspace.protocol.spec.SampleSpec;
import org.subspace.protocol.spec.StageKeys;
import org.subspace.protocol.spec.StageSpec;
import org.subspace.protocol.spec.SubspacePosterior;
import org.subspace.protocol.spec.SubspaceSpec;
import org.subspace.protocol.spec.TrainSpec;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.protocol.vocabulary.EvalSet;
import org.subspace.protocol.vocabulary.Method;
import org.subspace.protocol.vocabulary.SubspaceKind;
import org.subspace.workers.random.Seeds;

/**
 * The sweep's stage graph. Shared upstream work appears once: one training per (dataset,
 * split, seed, training settings), one curve per pair of trainings (seed s to seed s + 1), one
 * subspace per kind at the largest rank, one chain per (kind, rank, method, temperature), one
 * evaluation per chain.
 *
 * <p>The planner builds each stage's spec and chooses the upstream keys its key derives from;
 * {@link StageKeys} derives the key. A chain is keyed on the training (or curve) its subspace
 * comes from and on its own rank, not on the subspace stage: rank r is the leading r rows of
 * any larger subspace, so adding a larger rank reuses every existing chain.
 */
public final class StagePlan {
  private final String name;
  private final Map<String, PlannedStage> stages = new LinkedHashMap<>();
  /** The stages that wait for each stage, in plan order: what may become runnable when it succeeds. */
  private final Map<String, List<PlannedStage>> downstream = new HashMap<>();
  /** {@link #stages} as a list, made once the plan is complete: the supervisor walks it often. */
  private List<PlannedStage> ordered = List.of();

  private StagePlan(String name) {
    this.name = name;
  }

  public static StagePlan of(SweepSpec spec) {
    StagePlan plan = new StagePlan(spec.name());
    for (Experiment e : spec.experiments()) {
      plan.addExperiment(e);
    }
    plan.ordered = List.copyOf(plan.stages.values());
    return plan;
  }

  /** The sweep's name. */
  public String name() {
    return name;
  }

  /** Stages in dependency order. */
  public List<PlannedStage> stages() {
    return ordered;
  }

  /** The stages that wait for {@code key} (list it in their upstream), in dependency order. */
  public List<PlannedStage> downstream(String key) {
    return downstream.getOrDefault(key, List.of());
  }

  public PlannedStage get(String key) {
    return stages.get(key);
  }

  public List<PlannedStage> ofKind(StageKind kind) {
    return stages.values().stream().filter(s -> s.kind() == kind).toList();
  }

  /** How a planned stage becomes a message once the stages it waits for are done. */
  private interface StageMessage {
    Stage build(String key, Map<String, StageManifest> done);
  }

  /** Adds a stage (once: the same spec on the same upstream work is the same stage) and returns its key. */
  private String add(StageSpec spec, Problem problem, List<String> keyedOn, List<String> upstream,
      StageMessage message, Configuration configuration, String description) {
    String key = StageKeys.of(spec, keyedOn);
    PlannedStage stage = new PlannedStage(key, spec, problem.data().name(), keyedOn, upstream,
        done -> message.build(key, done), configuration, description);
    if (stages.putIfAbsent(key, stage) == null) {
      for (String up : stage.upstream()) {
        downstream.computeIfAbsent(up, k -> new ArrayList<>()).add(stage);
      }
    }
    return key;
  }

  private void addExperiment(Experiment e) {
    EvalSet evalSet = e.data().split().evalSet();
    for (String split : e.splits()) {
      Problem problem = new Problem(e.data(), split, e.model());
      for (long seed : e.seeds()) {
        String trainKey = addTraining(e, problem, seed);
        if (e.methods().contains(Method.SGD)) {
          addSgd(e, problem, seed, trainKey, evalSet);
        }
        if (e.methods().contains(Method.SWAG)) {
          addSwag(e, problem, seed, trainKey, evalSet);
        }
        if (e.methods().stream().noneMatch(Method::inSubspace)) {
          continue;
        }
        for (SubspaceKind kind : e.subspaceKinds()) {
          // What the subspace is built from: the training (PCA, random) or the curve to the next seed's training.
          String sourceKey = kind == SubspaceKind.CURVE ? addCurve(e, problem, seed, trainKey) : trainKey;
          SubspaceSpec subspace = kind == SubspaceKind.CURVE
              ? new SubspaceSpec(kind, SubspaceSpec.CURVE_RANK, seed, null)
              : new SubspaceSpec(kind, e.maxRank(), seed, kind == SubspaceKind.RANDOM ? e.randomScale() : null);
          String subspaceKey = addSubspace(problem, seed, subspace, sourceKey,
              kind == SubspaceKind.CURVE ? ArtifactKind.CURVE : ArtifactKind.TRAINED);
          for (int rank : e.ranksOf(kind)) {
            for (Method method : e.methods()) {
              if (method.inSubspace()) {
                for (double temperature : e.temperatures().get(method)) {
                  addChain(e, problem, seed, subspace.withRank(rank), method, temperature, sourceKey, subspaceKey,
                      evalSet);
                }
              }
            }
          }
        }
      }
    }
  }

  private String addTraining(Experiment e, Problem problem, long seed) {
    TrainSpec spec = new TrainSpec(problem, e.training(), seed);
    return add(spec, problem, List.of(), List.of(), (key, done) -> new Stage.Train(key, spec), null,
        String.format("train %s split %s seed %d", problem.data().name(), problem.split(), seed));
  }

  /** The curve from the training of {@code seed} to that of {@code seed + 1} (an ordinary training, shared). */
  private String addCurve(Experiment e, Problem problem, long seed, String startKey) {
    String endKey = addTraining(e, problem, seed + 1);
    CurveFitSpec spec = new CurveFitSpec(problem, e.curve(), seed);
    List<String> ends = List.of(startKey, endKey);
    return add(spec, problem, ends, ends, (key, done) -> new Stage.FitCurve(key, spec,
            done.get(startKey).output(ArtifactKind.TRAINED), done.get(endKey).output(ArtifactKind.TRAINED)),
        null, String.format("fit curve %s split %s seeds %d-%d", problem.data().name(), problem.split(), seed,
            seed + 1));
  }

  /** A subspace built from the output ({@code sourceKind}) of {@code sourceKey}. */
  private String addSubspace(Problem problem, long seed, SubspaceSpec spec, String sourceKey,
      ArtifactKind sourceKind) {
    List<String> source = List.of(sourceKey);
    return add(spec, problem, source, source,
        (key, done) -> new Stage.BuildSubspace(key, spec, done.get(sourceKey).output(sourceKind)), null,
        String.format("%s subspace rank %d of %s split %s seed %d", spec.kind().label(), spec.rank(),
            problem.data().name(), problem.split(), seed));
  }

  /** The SGD baseline: the trained network itself, evaluated. */
  private void addSgd(Experiment e, Problem problem, long seed, String trainKey, EvalSet evalSet) {
    Configuration configuration =
        new Configuration(problem.data().name(), problem.split(), seed, null, 0, Method.SGD, Double.NaN, evalSet);
    EvaluateSpec spec = new EvaluateSpec(problem, Method.SGD, 0, e.inference().noiseVariance(), e.evaluation(), seed);
    List<String> training = List.of(trainKey);
    add(spec, problem, training, training, (key, done) -> new Stage.Evaluate(key, spec, null,
        done.get(trainKey).output(ArtifactKind.TRAINED)), configuration, "evaluate " + configuration.label());
  }

  /** The SWAG baseline: networks drawn from the training's SWAG Gaussian, evaluated. */
  private void addSwag(Experiment e, Problem problem, long seed, String trainKey, EvalSet evalSet) {
    Configuration configuration =
        new Configuration(problem.data().name(), problem.split(), seed, null, 0, Method.SWAG, Double.NaN, evalSet);
    long swagSeed = Seeds.chain(seed, null, 0, Method.SWAG, Double.NaN, problem.split());
    SampleSpec.Swag spec = new SampleSpec.Swag(e.inference().samples(), e.inference().swagScale(), swagSeed);
    List<String> training = List.of(trainKey);
    String sampleKey = add(spec, problem, training, training, (key, done) -> new Stage.Sample(key, spec,
        done.get(trainKey).output(ArtifactKind.TRAINED)), configuration, "draw " + configuration.label());
    addEvaluation(e, problem, configuration, swagSeed, null, sampleKey, ArtifactKind.SWAG_SAMPLES);
  }

  private void addChain(Experiment e, Problem problem, long seed, SubspaceSpec subspace, Method method,
      double temperature, String sourceKey, String subspaceKey, EvalSet evalSet) {
    Configuration configuration = new Configuration(problem.data().name(), problem.split(), seed, subspace.kind(),
        subspace.rank(), method, temperature, evalSet);
    long chainSeed = Seeds.chain(seed, subspace.kind(), subspace.rank(), method, temperature, problem.split());
    SampleSpec spec = sampleSpec(e.inference(), problem, subspace, method, temperature, chainSeed);
    String sampleKey = add(spec, problem, List.of(sourceKey), List.of(subspaceKey), (key, done) -> new Stage.Sample(
        key, spec, done.get(subspaceKey).output(ArtifactKind.SUBSPACE)), configuration,
        (method.markovChain() ? "chain " : "fit ") + configuration.label());
    addEvaluation(e, problem, configuration, chainSeed, subspaceKey, sampleKey,
        method.markovChain() ? ArtifactKind.CHAIN : ArtifactKind.VARIATIONAL);
  }

  /**
   * A method's spec: its own settings and the tempered posterior it targets, nothing else. The
   * switch names every method, so a new one does not compile until it is planned here.
   */
  private static SampleSpec sampleSpec(InferenceSpec inference, Problem problem, SubspaceSpec subspace, Method method,
      double temperature, long seed) {
    double priorStd = method.family() == Method.Family.VARIATIONAL ? inference.vi().priorStd() : inference.priorStd();
    SubspacePosterior posterior =
        new SubspacePosterior(problem, subspace, inference.noiseVariance(), temperature, priorStd);
    InferenceSpec.Variational vi = inference.vi();
    InferenceSpec.Hamiltonian h = inference.hamiltonian();
    SampleSpec.StepSizeAdaptation adaptation = new SampleSpec.StepSizeAdaptation(h.warmup(), h.targetAcceptance());
    return switch (method) {
      case ESS -> new SampleSpec.Ess(posterior, inference.samples(), inference.burnIn(), inference.thin(), seed);
      case VI, VI_FULL -> new SampleSpec.Variational(posterior, method, inference.samples(), vi.epochs(),
          vi.batchSize(), vi.lr(), vi.initRho(), seed);
      case HMC -> new SampleSpec.Hmc(posterior, inference.samples(), adaptation, h.leapfrogSteps(), seed);
      case NUTS -> new SampleSpec.Nuts(posterior, inference.samples(), adaptation, h.maxTreeDepth(), seed);
      case SGD, SWAG -> throw new IllegalArgumentException(method.label() + " does not sample in a subspace");
    };
  }

  /** Model averaging over a sample stage's output (with the subspace it lives in, if any). */
  private void addEvaluation(Experiment e, Problem problem, Configuration configuration, long seed,
      String subspaceKey, String sampleKey, ArtifactKind samplesKind) {
    EvaluateSpec spec = new EvaluateSpec(problem, configuration.method(), configuration.rank(),
        e.inference().noiseVariance(), e.evaluation(), seed);
    List<String> upstream = subspaceKey == null ? List.of(sampleKey) : List.of(subspaceKey, sampleKey);
    add(spec, problem, List.of(sampleKey), upstream, (key, done) -> new Stage.Evaluate(key, spec,
            subspaceKey == null ? null : done.get(subspaceKey).output(ArtifactKind.SUBSPACE),
            done.get(sampleKey).output(samplesKind)),
        configuration, "evaluate " + configuration.label());
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
}
