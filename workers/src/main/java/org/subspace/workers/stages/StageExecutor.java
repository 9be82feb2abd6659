package org.subspace.workers.stages;

import static org.subspace.protocol.tensor.TensorNames.END;
import static org.subspace.protocol.tensor.TensorNames.EPOCH_LOSS;
import static org.subspace.protocol.tensor.TensorNames.LOG_DENSITY;
import static org.subspace.protocol.tensor.TensorNames.MEAN;
import static org.subspace.protocol.tensor.TensorNames.MIDDLE;
import static org.subspace.protocol.tensor.TensorNames.SCALE;
import static org.subspace.protocol.tensor.TensorNames.SIGMA;
import static org.subspace.protocol.tensor.TensorNames.START;
import static org.subspace.protocol.tensor.TensorNames.WEIGHTS;
import static org.subspace.protocol.tensor.TensorNames.Z;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.subspace.protocol.spec.Problem;
import org.subspace.protocol.spec.SampleSpec;
import org.subspace.protocol.spec.SubspacePosterior;
import org.subspace.protocol.spec.SubspaceSpec;
import org.subspace.protocol.stage.CheckpointPolicy;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.protocol.vocabulary.Method;
import org.subspace.protocol.vocabulary.SubspaceKind;
import org.subspace.workers.inference.EllipticalSliceSampler;
import org.subspace.workers.inference.HamiltonianSampler;
import org.subspace.workers.inference.LogDensity;
import org.subspace.workers.inference.SwagSampler;
import org.subspace.workers.inference.VariationalInference;
import org.subspace.workers.model.SubspaceModel;
import org.subspace.workers.random.Rng;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.subspace.Subspace;
import org.subspace.workers.subspace.Subspaces;
import org.subspace.workers.train.SgdTrainer;
import org.subspace.workers.train.SwagMoments;
import org.subspace.workers.train.TrainingState;

/**
 * Runs one stage with the library: reads its input artifacts from the store, computes, writes
 * its outputs (and in-stage checkpoints) to the store. It dispatches on the stage's spec:
 * subspaces and samplers are the same for every network, and what differs between regression
 * MLPs and image classifiers sits behind {@link ModelFamily}. No actors here; the stage actors
 * call it on a blocking dispatcher. Not final only so that the orchestrator's scale benchmark can
 * put an executor that does no work behind real worker actors.
 */
public class StageExecutor {
  /** How an attempt reports back while it runs. */
  public interface Context {
    void progress(long done, long total, String detail);

    /** A checkpoint artifact is in the store; a retry may resume from it. */
    void checkpoint(ArtifactRef checkpoint, long position);

    /**
     * Called at the work's boundaries (each epoch or iteration, {@code fraction} done): where an
     * injected fault may strike, and where a cancelled attempt stops, by throwing a
     * {@link java.util.concurrent.CancellationException} that unwinds through the
     * try-with-resources scoping its native memory.
     */
    void faultPoint(double fraction);

    /** Whether the attempt was cancelled: work without boundaries of its own may poll it. */
    default boolean cancelled() {
      return false;
    }

    /** The GPU slot this attempt was given, or -1: it runs on the CPU. */
    int gpu();
  }

  public record Result(List<ArtifactRef> outputs, Map<String, Double> metrics) {}

  static final int PROGRESS_REPORTS = 20;

  private final ArtifactStore store;
  private final ModelFamily regression;
  private final ModelFamily classifiers;

  public StageExecutor(ArtifactStore store) {
    this.store = store;
    this.regression = new RegressionFamily(store);
    this.classifiers = new ClassifierFamily(store);
  }

  /** The store this executor reads inputs from and writes outputs to. */
  public ArtifactStore store() {
    return store;
  }

  /** Runs a stage, resuming from {@code resumeFrom} if given and checkpointing as {@code policy} says. */
  public Result run(Stage stage, ArtifactRef resumeFrom, CheckpointPolicy policy, Context context) {
    if (stage instanceof Stage.Train train) {
      return family(train.spec().problem()).train(train.spec(), resumeFrom, policy, context);
    } else if (stage instanceof Stage.FitCurve curve) {
      return family(curve.spec().problem()).fitCurve(curve.spec(), weights(curve.start()), weights(curve.end()),
          resumeFrom, policy, context);
    } else if (stage instanceof Stage.BuildSubspace subspace) {
      return buildSubspace(subspace, context);
    } else if (stage instanceof Stage.Sample sample) {
      return sample(sample, resumeFrom, policy, context);
    } else if (stage instanceof Stage.Evaluate evaluate) {
      context.faultPoint(0.5);
      return family(evaluate.spec().problem()).evaluate(evaluate.spec(), members(evaluate), context);
    }
    throw new IllegalArgumentException("unknown stage " + stage);
  }

  private ModelFamily family(Problem problem) {
    return problem.model().classifier() ? classifiers : regression;
  }

  private float[] weights(ArtifactRef trained) {
    return store.read(trained, Codecs::weights);
  }

  /** Progress, metrics, in-stage checkpoints and fault points after each epoch of a training. */
  static SgdTrainer.EpochListener epochListener(ArtifactStore store, int epochs, CheckpointPolicy policy,
      Context context) {
    int reportEvery = Math.max(1, epochs / PROGRESS_REPORTS);
    return (done, loss, snapshot) -> {
      // The loss gauge first: a scrape that sees an epoch counted then also sees its loss.
      WorkMetrics.trainingLoss(loss);
      WorkMetrics.EPOCHS.increment();
      if (done % reportEvery == 0) {
        context.progress(done, epochs, String.format("loss %.4f", loss));
      }
      if (done % policy.trainEpochs() == 0 && done < epochs) {
        context.checkpoint(store.putTensors(ArtifactKind.TRAIN_CHECKPOINT, Codecs.trainingState(snapshot.get())),
            done);
      }
      context.faultPoint((double) done / epochs);
    };
  }

  static Result trainedResult(ArtifactStore store, TrainingState trained) {
    ArtifactRef output = store.putTensors(ArtifactKind.TRAINED, Codecs.trainingState(trained));
    return new Result(List.of(output),
        Map.of("final_loss", trained.lastLoss(), "swag_models", (double) trained.swag().count()));
  }

  private Result buildSubspace(Stage.BuildSubspace stage, Context context) {
    context.faultPoint(0.5);
    Subspace subspace = subspace(stage.spec(), stage.source());
    ArtifactRef output = store.putTensors(ArtifactKind.SUBSPACE, Codecs.subspace(subspace));
    return new Result(List.of(output), Map.of("rank", (double) subspace.rank()));
  }

  private Subspace subspace(SubspaceSpec spec, ArtifactRef source) {
    if (spec.kind() == SubspaceKind.CURVE) {
      Map<String, Tensor> curve = store.readTensors(source);
      return Subspaces.curve(curve.get(START).floats(), curve.get(MIDDLE).floats(), curve.get(END).floats());
    }
    SwagMoments swag = store.read(source, Codecs::swagMoments);
    float[] mean = swag.meanAsFloats();
    return switch (spec.kind()) {
      case PCA -> Subspaces.pca(mean, swag.deviations(), spec.rank());
      case RANDOM -> switch (spec.randomScale()) {
        case UNIT -> Subspaces.random(mean, spec.rank(), spec.seed());
        case PCA -> Subspaces.random(mean, spec.rank(), spec.seed(),
            Subspaces.pca(mean, swag.deviations(), spec.rank()).singularValues());
      };
      case CURVE -> throw new AssertionError("built from the curve above");
    };
  }

  /** The leading {@code rank} rows of a stored subspace. */
  private Subspace subspaceOfRank(ArtifactRef ref, int rank) {
    return store.read(ref, Codecs::subspace).truncate(rank);
  }

  private Result sample(Stage.Sample stage, ArtifactRef resumeFrom, CheckpointPolicy policy, Context context) {
    SampleSpec spec = stage.spec();
    if (spec instanceof SampleSpec.Ess ess) {
      return ellipticalSlice(ess, stage.source(), resumeFrom, policy, context);
    } else if (spec instanceof SampleSpec.Variational vi) {
      return variational(vi, stage.source(), context);
    } else if (spec instanceof SampleSpec.Hmc hmc) {
      HamiltonianSampler.Settings settings = HamiltonianSampler.Settings.hmc(hmc.samples(),
          hmc.adaptation().warmup(), hmc.adaptation().targetAcceptance(), hmc.leapfrogSteps());
      return hamiltonian(hmc.posterior(), settings, hmc.seed(), stage.source(), resumeFrom, policy, context);
    } else if (spec instanceof SampleSpec.Nuts nuts) {
      HamiltonianSampler.Settings settings = HamiltonianSampler.Settings.nuts(nuts.samples(),
          nuts.adaptation().warmup(), nuts.adaptation().targetAcceptance(), nuts.maxTreeDepth());
      return hamiltonian(nuts.posterior(), settings, nuts.seed(), stage.source(), resumeFrom, policy, context);
    } else if (spec instanceof SampleSpec.Swag swag) {
      return swag(swag, stage.source(), context);
    }
    throw new IllegalArgumentException("unknown sample spec " + spec);
  }

  /** The posterior's network restricted to its subspace, with its training data. */
  private SubspaceModel subspaceModel(SubspacePosterior posterior, ArtifactRef subspace, Context context) {
    return family(posterior.problem()).subspaceModel(posterior.problem(), subspaceOfRank(subspace, posterior.rank()),
        posterior.noiseVariance(), context.gpu());
  }

  private Result variational(SampleSpec.Variational spec, ArtifactRef subspace, Context context) {
    SubspacePosterior posterior = spec.posterior();
    VariationalInference fitter = new VariationalInference(new VariationalInference.Settings(
        spec.epochs(), spec.batchSize(), spec.lr(), spec.initRho(), posterior.priorStd(), posterior.temperature(),
        spec.method() == Method.VI_FULL));
    try (SubspaceModel network = subspaceModel(posterior, subspace, context)) {
      context.faultPoint(0.5);
      int reportEvery = Math.max(1, spec.epochs() / PROGRESS_REPORTS);
      VariationalInference.Posterior q = fitter.fit(posterior.rank(), network.trainCount(),
          network::meanNegLogLikelihood, spec.seed(), (done, total, loss) -> {
            // Progress is also where a cancelled fit stops, and what tells a long fit from a hung one.
            if (done % reportEvery == 0) {
              context.progress(done, total, String.format("loss %.4f", loss));
            }
          });
      List<double[]> draws = q.sample(spec.samples(), spec.seed());
      double finalLoss = q.epochLosses().get(q.epochLosses().size() - 1);
      WorkMetrics.variationalLoss(finalLoss);
      Map<String, Tensor> t = new LinkedHashMap<>();
      t.put(Z, Tensor.ofRows(draws.toArray(new double[0][])));
      t.put(MEAN, Tensor.of(q.mean(), q.mean().length));
      t.put(SIGMA, Tensor.of(q.sigma(), q.sigma().length));
      t.put(SCALE, Tensor.ofRows(q.scale()));
      t.put(EPOCH_LOSS, Tensor.of(q.epochLosses().stream().mapToDouble(Double::doubleValue).toArray(),
          q.epochLosses().size()));
      ArtifactRef output = store.putTensors(ArtifactKind.VARIATIONAL, t);
      return new Result(List.of(output), Map.of("samples", (double) draws.size(),
          "likelihood_evals", (double) q.gradientEvaluations(), "gradient_evals", (double) q.gradientEvaluations(),
          "final_loss", finalLoss));
    }
  }

  private Result hamiltonian(SubspacePosterior posterior, HamiltonianSampler.Settings settings, long seed,
      ArtifactRef subspace, ArtifactRef resumeFrom, CheckpointPolicy policy, Context context) {
    try (SubspaceModel network = subspaceModel(posterior, subspace, context)) {
      LogDensity density = LogDensity.temperedPosterior(network::logLikelihood, posterior.temperature(),
          posterior.priorStd());
      int total = settings.warmup() + settings.samples();
      int reportEvery = Math.max(1, total / PROGRESS_REPORTS);
      HamiltonianSampler sampler = new HamiltonianSampler(settings, density);
      HamiltonianSampler.ChainState from = resumeFrom == null
          ? sampler.start(new double[posterior.rank()], seed)
          : Codecs.hamiltonianState(store.readTensors(resumeFrom));
      context.faultPoint((double) from.iterations() / total);
      HamiltonianSampler.Chain chain = sampler.run(from, (done, all, gradients, snapshot) -> {
        if (done % reportEvery == 0) {
          context.progress(done, all, gradients + " gradient evaluations");
        }
        if (done % policy.sampleIterations() == 0 && done < all) {
          context.checkpoint(store.putTensors(ArtifactKind.CHAIN_CHECKPOINT,
              Codecs.hamiltonianState(snapshot.get())), done);
        }
        context.faultPoint((double) done / all);
      });
      Map<String, Tensor> t = new LinkedHashMap<>();
      t.put(Z, Tensor.ofRows(chain.samples().toArray(new double[0][])));
      t.put(LOG_DENSITY, Tensor.of(chain.logDensities().stream().mapToDouble(Double::doubleValue).toArray(),
          chain.logDensities().size()));
      ArtifactRef output = store.putTensors(ArtifactKind.CHAIN, t);
      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("samples", (double) chain.samples().size());
      metrics.put("likelihood_evals", (double) chain.gradientEvaluations());
      metrics.put("gradient_evals", (double) chain.gradientEvaluations());
      metrics.put("step_size", chain.stepSize());
      metrics.put("acceptance", chain.meanAcceptance());
      metrics.put("leapfrog_steps", chain.meanLeapfrogSteps());
      metrics.put("divergences", (double) chain.divergences());
      return new Result(List.of(output), metrics);
    }
  }

  private Result swag(SampleSpec.Swag spec, ArtifactRef trained, Context context) {
    context.faultPoint(0.5);
    SwagMoments swag = store.read(trained, Codecs::swagMoments);
    float[][] networks = SwagSampler.sample(swag, spec.scale(), spec.samples(), spec.seed());
    ArtifactRef output = store.putTensors(ArtifactKind.SWAG_SAMPLES, Map.of(WEIGHTS, Tensor.ofRows(networks)));
    return new Result(List.of(output), Map.of("samples", (double) networks.length, "likelihood_evals", 0.0));
  }

  private Result ellipticalSlice(SampleSpec.Ess spec, ArtifactRef subspace, ArtifactRef resumeFrom,
      CheckpointPolicy policy, Context context) {
    SubspacePosterior posterior = spec.posterior();
    EllipticalSliceSampler sampler = new EllipticalSliceSampler(new EllipticalSliceSampler.Settings(
        spec.samples(), spec.burnIn(), spec.thin(), posterior.priorStd(), posterior.temperature()));
    int rank = posterior.rank();
    int iterations = sampler.settings().iterations();
    int reportEvery = Math.max(1, iterations / PROGRESS_REPORTS);
    try (SubspaceModel network = subspaceModel(posterior, subspace, context)) {
      EllipticalSliceSampler.Chain start = resumeFrom == null
          ? sampler.start(new double[rank], spec.seed(), network::logLikelihood)
          : Codecs.chain(store.readTensors(resumeFrom));
      context.faultPoint((double) start.state().iterations() / iterations);
      long[] evaluations = {start.state().likelihoodEvaluations()};
      EllipticalSliceSampler.Chain chain = sampler.run(start, network::logLikelihood, (state, kept, keptLl) -> {
        WorkMetrics.ESS_ITERATIONS.increment();
        WorkMetrics.ESS_EVALUATIONS.increment(state.likelihoodEvaluations() - evaluations[0]);
        evaluations[0] = state.likelihoodEvaluations();
        int done = state.iterations();
        if (done % reportEvery == 0) {
          context.progress(done, iterations, state.likelihoodEvaluations() + " likelihood evaluations");
        }
        if (done % policy.sampleIterations() == 0 && done < iterations) {
          ArtifactRef checkpoint = store.putTensors(ArtifactKind.CHAIN_CHECKPOINT,
              Codecs.chain(new EllipticalSliceSampler.Chain(state, kept, keptLl), rank));
          context.checkpoint(checkpoint, done);
        }
        context.faultPoint((double) done / iterations);
      });
      ArtifactRef output = store.putTensors(ArtifactKind.CHAIN, Codecs.chain(chain, rank));
      return new Result(List.of(output), Map.of("samples", (double) chain.samples().size(),
          "likelihood_evals", (double) chain.state().likelihoodEvaluations()));
    }
  }

  /** What the evaluation averages over, read from its sample stage's output. */
  private Members members(Stage.Evaluate stage) {
    ArtifactRef samples = stage.samples();
    if (samples.kind().subspacePoints()) {
      List<double[]> points = List.of(store.readTensors(samples).get(Z).doubleRows());
      // A chain's samples are correlated and the reference draws from them with replacement; VI's are independent.
      double[][] zs = samples.kind() == ArtifactKind.CHAIN
          ? draws(points, stage.spec().evaluation().draws(), stage.spec().seed())
          : points.toArray(new double[0][]);
      return new Members.SubspacePoints(subspaceOfRank(stage.subspace(), stage.spec().rank()), zs);
    }
    return new Members.Networks(samples.kind() == ArtifactKind.SWAG_SAMPLES
        ? store.readTensors(samples).get(WEIGHTS).floatRows()
        : new float[][] {weights(samples)});
  }

  /** Every kept sample, or {@code count} samples drawn uniformly with replacement (as the reference does). */
  static double[][] draws(List<double[]> samples, int count, long chainSeed) {
    if (count == 0) {
      return samples.toArray(new double[0][]);
    }
    Rng rng = new Rng(Rng.derive(chainSeed, "draws"));
    double[][] zs = new double[count][];
    for (int i = 0; i < count; i++) {
      zs[i] = samples.get(rng.nextInt(samples.size()));
    }
    return zs;
  }
}
