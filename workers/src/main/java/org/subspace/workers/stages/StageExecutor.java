package org.subspace.workers.stages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.subspace.protocol.RegressionScores;
import org.subspace.protocol.spec.CurveSpec;
import org.subspace.protocol.spec.EvaluationSpec;
import org.subspace.protocol.spec.InferenceSpec;
import org.subspace.protocol.stage.CheckpointPolicy;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.workers.data.Datasets;
import org.subspace.workers.data.PreparedSplit;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.eval.RegressionEvaluation;
import org.subspace.workers.Labels;
import org.subspace.workers.inference.EllipticalSliceSampler;
import org.subspace.workers.inference.HamiltonianSampler;
import org.subspace.workers.inference.LogDensity;
import org.subspace.workers.inference.SwagSampler;
import org.subspace.workers.inference.VariationalInference;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.Mlp;
import org.subspace.workers.model.SubspaceModel;
import org.subspace.workers.model.SubspaceNetwork;
import org.subspace.workers.random.Rng;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.subspace.Subspace;
import org.subspace.workers.subspace.Subspaces;
import org.subspace.workers.train.CurveTrainer;
import org.subspace.workers.train.SgdTrainer;
import org.subspace.workers.train.TrainingState;

/**
 * Runs one stage with the library: reads its input artifacts from the store, computes, writes
 * its outputs (and in-stage checkpoints) to the store. No actors here; the stage actors call it
 * on a blocking dispatcher.
 */
public final class StageExecutor {
  /** Artifact kinds. */
  public static final String TRAINED = "trained";
  public static final String TRAIN_CHECKPOINT = "train-checkpoint";
  public static final String CURVE = "curve";
  public static final String CURVE_CHECKPOINT = "curve-checkpoint";
  public static final String SUBSPACE = "subspace";
  public static final String CHAIN = "chain";
  public static final String CHAIN_CHECKPOINT = "chain-checkpoint";
  public static final String VARIATIONAL = "variational";
  public static final String SWAG_SAMPLES = "swag-samples";
  public static final String EVALUATION = "evaluation";
  public static final String GRID = "grid";

  /** How an attempt reports back while it runs. */
  public interface Context {
    void progress(long done, long total, String detail);

    /** A checkpoint artifact is in the store; a retry may resume from it. */
    void checkpoint(ArtifactRef checkpoint, long position);

    /** Called at points of the work ({@code fraction} done) where an injected fault may strike. */
    void faultPoint(double fraction);

    /** The GPU slot this attempt was given, or -1: it runs on the CPU. */
    int gpu();
  }

  public record Result(List<ArtifactRef> outputs, Map<String, Double> metrics) {}

  private static final int PROGRESS_REPORTS = 20;

  private final ArtifactStore store;
  private final ClassificationStages classification;

  public StageExecutor(ArtifactStore store) {
    this.store = store;
    this.classification = new ClassificationStages(store);
  }

  /** The store this executor reads inputs from and writes outputs to. */
  public ArtifactStore store() {
    return store;
  }

  /** Runs a stage, resuming from {@code resumeFrom} if given and checkpointing as {@code policy} says. */
  public Result run(Stage stage, ArtifactRef resumeFrom, CheckpointPolicy policy, Context context) {
    if (stage instanceof Stage.Train train) {
      return train(train, resumeFrom, policy, context);
    } else if (stage instanceof Stage.FitCurve curve) {
      return fitCurve(curve, resumeFrom, policy, context);
    } else if (stage instanceof Stage.BuildSubspace subspace) {
      return buildSubspace(subspace, context);
    } else if (stage instanceof Stage.Sample sample) {
      return sample(sample, resumeFrom, policy, context);
    } else if (stage instanceof Stage.Evaluate evaluate) {
      return evaluate(evaluate, context);
    }
    throw new IllegalArgumentException("unknown stage " + stage);
  }

  private Result train(Stage.Train stage, ArtifactRef resumeFrom, CheckpointPolicy policy, Context context) {
    if (stage.model().classifier()) {
      return classification.train(stage, resumeFrom, policy, context);
    }
    RegressionData data = Datasets.load(stage.data(), stage.split()).data();
    Mlp mlp = new Mlp(Specs.mlp(stage.model(), data.features()));
    var settings = Specs.training(stage.training(), stage.model());
    TrainingState start = resumeFrom == null
        ? TrainingState.initial(mlp.spec(), settings, stage.seed())
        : Codecs.trainingState(store.readTensors(resumeFrom));
    context.faultPoint((double) start.epochsDone() / settings.epochs());
    TrainingState trained = new SgdTrainer(mlp, data, settings, stage.seed())
        .run(start, epochListener(store, settings.epochs(), policy, context));
    return trainedResult(store, trained);
  }

  /** Progress, metrics, in-stage checkpoints and fault points after each epoch of a training. */
  static SgdTrainer.EpochListener epochListener(ArtifactStore store, int epochs, CheckpointPolicy policy,
      Context context) {
    int reportEvery = Math.max(1, epochs / PROGRESS_REPORTS);
    return (done, loss, snapshot) -> {
      WorkMetrics.EPOCHS.increment();
      WorkMetrics.trainingLoss(loss);
      if (done % reportEvery == 0) {
        context.progress(done, epochs, String.format("loss %.4f", loss));
      }
      if (done % policy.trainEpochs() == 0 && done < epochs) {
        context.checkpoint(store.putTensors(TRAIN_CHECKPOINT, Codecs.trainingState(snapshot.get())), done);
      }
      context.faultPoint((double) done / epochs);
    };
  }

  static Result trainedResult(ArtifactStore store, TrainingState trained) {
    ArtifactRef output = store.putTensors(TRAINED, Codecs.trainingState(trained));
    return new Result(List.of(output),
        Map.of("final_loss", trained.lastLoss(), "swag_models", (double) trained.swag().count()));
  }

  private Result fitCurve(Stage.FitCurve stage, ArtifactRef resumeFrom, CheckpointPolicy policy, Context context) {
    RegressionData data = Datasets.load(stage.data(), stage.split()).data();
    Mlp mlp = new Mlp(Specs.mlp(stage.model(), data.features()));
    CurveSpec spec = stage.curve();
    CurveTrainer trainer = new CurveTrainer(mlp, data, new CurveTrainer.Settings(spec.epochs(), spec.batchSize(),
        spec.lr(), spec.momentum(), spec.weightDecay(), Specs.likelihood(stage.model(), 1.0)), stage.seed());
    float[] start = Codecs.trainingState(store.readTensors(stage.start())).weights();
    float[] end = Codecs.trainingState(store.readTensors(stage.end())).weights();
    CurveTrainer.State from = resumeFrom == null
        ? CurveTrainer.initial(start, end) : Codecs.curveState(store.readTensors(resumeFrom));
    int epochs = spec.epochs();
    int reportEvery = Math.max(1, epochs / PROGRESS_REPORTS);
    context.faultPoint((double) from.epochsDone() / epochs);
    CurveTrainer.State fitted = trainer.run(start, end, from, (done, loss, snapshot) -> {
      WorkMetrics.EPOCHS.increment();
      if (done % reportEvery == 0) {
        context.progress(done, epochs, String.format("loss along the curve %.4f", loss));
      }
      if (done % policy.trainEpochs() == 0 && done < epochs) {
        context.checkpoint(store.putTensors(CURVE_CHECKPOINT, Codecs.curveState(snapshot.get())), done);
      }
      context.faultPoint((double) done / epochs);
    });
    float[] middle = fitted.middle();
    int p = start.length;
    ArtifactRef output = store.putTensors(CURVE, Map.of("start", Tensor.of(start, p), "middle", Tensor.of(middle, p),
        "end", Tensor.of(end, p)));
    return new Result(List.of(output), Map.of("final_loss", fitted.lastLoss(),
        "midpoint_loss", trainer.lossAt(start, middle, end, 0.5)));
  }

  private Result buildSubspace(Stage.BuildSubspace stage, Context context) {
    context.faultPoint(0.5);
    Subspace subspace;
    if (stage.subspaceKind().equals("curve")) {
      Map<String, Tensor> curve = store.readTensors(stage.trained());
      subspace = Subspaces.curve(curve.get("start").floats(), curve.get("middle").floats(), curve.get("end").floats());
    } else {
      TrainingState trained = Codecs.trainingState(store.readTensors(stage.trained()));
      float[] mean = trained.swag().meanAsFloats();
      subspace = switch (stage.subspaceKind()) {
        case "pca" -> Subspaces.pca(mean, trained.swag().deviations(), stage.rank());
        case "random" -> stage.randomScale().equals("pca")
            ? Subspaces.random(mean, stage.rank(), stage.seed(),
                Subspaces.pca(mean, trained.swag().deviations(), stage.rank()).singularValues())
            : Subspaces.random(mean, stage.rank(), stage.seed());
        default -> throw new IllegalArgumentException("unknown subspace kind " + stage.subspaceKind());
      };
    }
    ArtifactRef output = store.putTensors(SUBSPACE, Codecs.subspace(subspace));
    return new Result(List.of(output), Map.of("rank", (double) subspace.rank()));
  }

  /** The leading {@code rank} rows of a stored subspace. */
  static Subspace subspaceOfRank(ArtifactStore store, ArtifactRef ref, int rank) {
    return Codecs.subspace(ref.kind(), store.readTensors(ref)).truncate(rank);
  }

  private Result sample(Stage.Sample stage, ArtifactRef resumeFrom, CheckpointPolicy policy, Context context) {
    return switch (stage.method()) {
      case "ess" -> ellipticalSlice(stage, resumeFrom, policy, context);
      case "vi", "vi-full" -> variational(stage, context);
      case "hmc", "nuts" -> hamiltonian(stage, resumeFrom, policy, context);
      case "swag" -> swag(stage, context);
      default -> throw new IllegalArgumentException("unknown sampling method " + stage.method());
    };
  }

  /** The stage's network restricted to its subspace, with its training data. */
  private SubspaceModel subspaceModel(Stage.Sample stage, Context context) {
    Subspace subspace = subspaceOfRank(store, stage.subspace(), stage.rank());
    if (stage.model().classifier()) {
      return classification.subspaceModel(stage.data(), stage.model(), subspace, context.gpu());
    }
    RegressionData data = Datasets.load(stage.data(), stage.split()).data();
    return new SubspaceNetwork(new Mlp(Specs.mlp(stage.model(), data.features())),
        Specs.likelihood(stage.model(), stage.inference().noiseVariance()), subspace, data.trainX(), data.trainY());
  }

  private Result variational(Stage.Sample stage, Context context) {
    InferenceSpec.Variational vi = stage.inference().vi();
    VariationalInference fitter = new VariationalInference(new VariationalInference.Settings(
        vi.epochs(), vi.batchSize(), vi.lr(), vi.initRho(), vi.priorStd(), stage.temperature(),
        stage.method().equals("vi-full")));
    try (SubspaceModel network = subspaceModel(stage, context)) {
      context.faultPoint(0.5);
      VariationalInference.Posterior q =
          fitter.fit(stage.rank(), network.trainCount(), network::meanNegLogLikelihood, stage.seed());
      List<double[]> draws = q.sample(stage.inference().samples(), stage.seed());
      WorkMetrics.variationalLoss(q.epochLosses().get(q.epochLosses().size() - 1));
      Map<String, Tensor> t = new LinkedHashMap<>();
      t.put("z", Tensor.ofRows(draws.toArray(new double[0][])));
      t.put("mean", Tensor.of(q.mean(), q.mean().length));
      t.put("sigma", Tensor.of(q.sigma(), q.sigma().length));
      t.put("scale", Tensor.ofRows(q.scale()));
      t.put("epoch_loss", Tensor.of(q.epochLosses().stream().mapToDouble(Double::doubleValue).toArray(),
          q.epochLosses().size()));
      ArtifactRef output = store.putTensors(VARIATIONAL, t);
      return new Result(List.of(output), Map.of("samples", (double) draws.size(),
          "likelihood_evals", (double) q.gradientEvaluations(), "gradient_evals", (double) q.gradientEvaluations(),
          "final_loss", q.epochLosses().get(q.epochLosses().size() - 1)));
    }
  }

  private Result hamiltonian(Stage.Sample stage, ArtifactRef resumeFrom, CheckpointPolicy policy, Context context) {
    InferenceSpec inference = stage.inference();
    InferenceSpec.Hamiltonian spec = inference.hamiltonian();
    HamiltonianSampler.Settings settings = new HamiltonianSampler.Settings(
        Labels.parse(HamiltonianSampler.Kind.class, stage.method()), inference.samples(), spec.warmup(),
        spec.targetAcceptance(), spec.leapfrogSteps(), spec.maxTreeDepth());
    try (SubspaceModel network = subspaceModel(stage, context)) {
      LogDensity posterior = LogDensity.temperedPosterior(network::logLikelihood, stage.temperature(),
          inference.priorStd());
      int total = spec.warmup() + inference.samples();
      int reportEvery = Math.max(1, total / PROGRESS_REPORTS);
      HamiltonianSampler sampler = new HamiltonianSampler(settings, posterior);
      HamiltonianSampler.ChainState from = resumeFrom == null
          ? sampler.start(new double[stage.rank()], stage.seed())
          : Codecs.hamiltonianState(store.readTensors(resumeFrom));
      context.faultPoint((double) from.iterations() / total);
      HamiltonianSampler.Chain chain = sampler.run(from, (done, all, gradients, snapshot) -> {
        if (done % reportEvery == 0) {
          context.progress(done, all, gradients + " gradient evaluations");
        }
        if (done % policy.sampleIterations() == 0 && done < all) {
          context.checkpoint(store.putTensors(CHAIN_CHECKPOINT, Codecs.hamiltonianState(snapshot.get())), done);
        }
        context.faultPoint((double) done / all);
      });
      Map<String, Tensor> t = new LinkedHashMap<>();
      t.put("z", Tensor.ofRows(chain.samples().toArray(new double[0][])));
      t.put("log_density", Tensor.of(chain.logDensities().stream().mapToDouble(Double::doubleValue).toArray(),
          chain.logDensities().size()));
      ArtifactRef output = store.putTensors(CHAIN, t);
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

  private Result swag(Stage.Sample stage, Context context) {
    context.faultPoint(0.5);
    TrainingState trained = Codecs.trainingState(store.readTensors(stage.subspace()));
    float[][] networks = SwagSampler.sample(trained.swag(), stage.inference().swagScale(),
        stage.inference().samples(), stage.seed());
    ArtifactRef output = store.putTensors(SWAG_SAMPLES, Map.of("weights", Tensor.ofRows(networks)));
    return new Result(List.of(output), Map.of("samples", (double) networks.length, "likelihood_evals", 0.0));
  }

  private Result ellipticalSlice(Stage.Sample stage, ArtifactRef resumeFrom, CheckpointPolicy policy,
      Context context) {
    var inference = stage.inference();
    EllipticalSliceSampler sampler = new EllipticalSliceSampler(new EllipticalSliceSampler.Settings(
        inference.samples(), inference.burnIn(), inference.thin(), inference.priorStd(), stage.temperature()));
    int iterations = sampler.settings().iterations();
    int reportEvery = Math.max(1, iterations / PROGRESS_REPORTS);
    try (SubspaceModel network = subspaceModel(stage, context)) {
      EllipticalSliceSampler.Chain start = resumeFrom == null
          ? sampler.start(new double[stage.rank()], stage.seed(), network::logLikelihood)
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
          ArtifactRef checkpoint = store.putTensors(CHAIN_CHECKPOINT,
              Codecs.chain(new EllipticalSliceSampler.Chain(state, kept, keptLl), stage.rank()));
          context.checkpoint(checkpoint, done);
        }
        context.faultPoint((double) done / iterations);
      });
      ArtifactRef output = store.putTensors(CHAIN, Codecs.chain(chain, stage.rank()));
      return new Result(List.of(output), Map.of("samples", (double) chain.samples().size(),
          "likelihood_evals", (double) chain.state().likelihoodEvaluations()));
    }
  }

  /** The networks to average: points of a subspace (with the network restricted to it) or whole networks. */
  private interface Ensemble extends AutoCloseable {
    float[][][] predict(float[] inputs);

    @Override
    void close();
  }

  private Result evaluate(Stage.Evaluate stage, Context context) {
    context.faultPoint(0.5);
    if (stage.model().classifier()) {
      return classification.evaluate(stage, context);
    }
    PreparedSplit split = Datasets.load(stage.data(), stage.split());
    RegressionData data = split.data();
    Mlp mlp = new Mlp(Specs.mlp(stage.model(), data.features()));
    GaussianLikelihood likelihood = Specs.likelihood(stage.model(), stage.inference().noiseVariance());
    ArtifactRef samples = stage.samples();
    double[][] zs = new double[0][];
    Ensemble ensemble;
    if (samples.kind().equals(CHAIN) || samples.kind().equals(VARIATIONAL)) {
      List<double[]> points = List.of(store.readTensors(samples).get("z").doubleRows());
      // ESS keeps a correlated chain and the reference draws from it with replacement; VI's draws are independent.
      zs = samples.kind().equals(CHAIN) ? draws(points, stage.evaluation().draws(), stage.seed())
          : points.toArray(new double[0][]);
      double[][] chosen = zs;
      SubspaceNetwork network = new SubspaceNetwork(mlp, likelihood,
          subspaceOfRank(store, stage.subspace(), stage.rank()),
          data.trainX(), data.trainY());
      ensemble = new Ensemble() {
        @Override
        public float[][][] predict(float[] inputs) {
          return network.predict(chosen, inputs);
        }

        @Override
        public void close() {
          network.close();
        }
      };
    } else {
      float[][] networks = samples.kind().equals(SWAG_SAMPLES)
          ? store.readTensors(samples).get("weights").floatRows()
          : new float[][] {Codecs.trainingState(store.readTensors(samples)).weights()};
      ensemble = new Ensemble() {
        @Override
        public float[][][] predict(float[] inputs) {
          return SubspaceNetwork.predictNetworks(mlp, likelihood, networks, inputs);
        }

        @Override
        public void close() {}
      };
    }
    try (ensemble) {
      float[][][] predictions = ensemble.predict(data.evalX());
      RegressionScores scores = RegressionEvaluation.score(predictions[0], predictions[1], data.evalY(), data.yStd());
      WorkMetrics.testLogLikelihood(stage.data().name(), stage.method(), scores.testLogLikelihood());
      Map<String, Tensor> evaluation = new LinkedHashMap<>();
      evaluation.put("z", Tensor.ofRows(zs));
      evaluation.put("pred_mean", Tensor.ofRows(predictions[0]));
      evaluation.put("pred_var", Tensor.ofRows(predictions[1]));
      evaluation.put("y", Tensor.of(data.evalY(), data.evalCount()));
      evaluation.put("y_mean", Tensor.scalar(data.yMean()));
      evaluation.put("y_std", Tensor.scalar(data.yStd()));
      List<ArtifactRef> outputs = new ArrayList<>();
      outputs.add(store.putTensors(EVALUATION, evaluation));
      if (stage.evaluation().grid().enabled()) {
        outputs.add(store.putTensors(GRID, grid(stage.evaluation(), split, ensemble::predict, stage.seed())));
      }
      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("test_ll", scores.testLogLikelihood());
      metrics.put("rmse", scores.rmse());
      metrics.put("coverage95", scores.coverage95());
      metrics.put("mixture_ll", scores.mixtureLogLikelihood());
      metrics.put("std_test_ll", scores.standardizedLogLikelihood());
      metrics.put("std_rmse", scores.standardizedRmse());
      metrics.put("eval_points", (double) scores.points());
      metrics.put("draws", (double) predictions[0].length);
      return new Result(outputs, metrics);
    }
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

  /** The predictive on the 1-D grid in original units, a few sampled functions, and the training points. */
  private static Map<String, Tensor> grid(EvaluationSpec evaluation, PreparedSplit split,
      Function<float[], float[][][]> predict, long chainSeed) {
    RegressionData data = split.data();
    double[] xs = evaluation.grid().xs();
    double[][] raw = new double[xs.length][];
    for (int i = 0; i < xs.length; i++) {
      raw[i] = new double[] {xs[i]};
    }
    float[][][] predictions = predict.apply(data.transformInputs(raw));
    int networks = predictions[0].length;
    RegressionEvaluation.Moments moments = RegressionEvaluation.moments(predictions[0], predictions[1]);
    double[] mean = new double[xs.length];
    double[] std = new double[xs.length];
    double[] stdWithNoise = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      mean[i] = data.yMean() + data.yStd() * moments.mean()[i];
      std[i] = data.yStd() * Math.sqrt(moments.epistemicVariance()[i]);
      stdWithNoise[i] = data.yStd() * Math.sqrt(moments.variance()[i]);
    }
    int shown = Math.min(evaluation.plotSamples(), networks);
    Rng rng = new Rng(Rng.derive(chainSeed, "plot-samples"));
    double[] functions = new double[shown * xs.length];
    for (int s = 0; s < shown; s++) {
      float[] f = predictions[0][rng.nextInt(networks)];
      for (int i = 0; i < xs.length; i++) {
        functions[s * xs.length + i] = data.yMean() + data.yStd() * f[i];
      }
    }
    double[] trainX = new double[data.trainCount()];
    double[] trainY = new double[data.trainCount()];
    for (int i = 0; i < trainX.length; i++) {
      trainX[i] = split.source().features()[data.trainRows()[i]][0];
      trainY[i] = split.source().target()[data.trainRows()[i]];
    }
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("x", Tensor.of(xs, xs.length));
    t.put("mean", Tensor.of(mean, xs.length));
    t.put("std", Tensor.of(std, xs.length));
    t.put("std_with_noise", Tensor.of(stdWithNoise, xs.length));
    t.put("sample_functions", Tensor.of(functions, shown, xs.length));
    t.put("train_x", Tensor.of(trainX, trainX.length));
    t.put("train_y", Tensor.of(trainY, trainY.length));
    return t;
  }
}
