package org.subspace.workers.stages;

import static org.subspace.protocol.tensor.TensorNames.END;
import static org.subspace.protocol.tensor.TensorNames.MEAN;
import static org.subspace.protocol.tensor.TensorNames.MIDDLE;
import static org.subspace.protocol.tensor.TensorNames.PRED_MEAN;
import static org.subspace.protocol.tensor.TensorNames.PRED_VAR;
import static org.subspace.protocol.tensor.TensorNames.SAMPLE_FUNCTIONS;
import static org.subspace.protocol.tensor.TensorNames.START;
import static org.subspace.protocol.tensor.TensorNames.STD;
import static org.subspace.protocol.tensor.TensorNames.STD_WITH_NOISE;
import static org.subspace.protocol.tensor.TensorNames.TRAIN_X;
import static org.subspace.protocol.tensor.TensorNames.TRAIN_Y;
import static org.subspace.protocol.tensor.TensorNames.X;
import static org.subspace.protocol.tensor.TensorNames.Y;
import static org.subspace.protocol.tensor.TensorNames.Y_MEAN;
import static org.subspace.protocol.tensor.TensorNames.Y_STD;
import static org.subspace.protocol.tensor.TensorNames.Z;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.subspace.protocol.RegressionScores;
import org.subspace.protocol.spec.CurveFitSpec;
import org.subspace.protocol.spec.CurveSpec;
import org.subspace.protocol.spec.EvaluateSpec;
import org.subspace.protocol.spec.EvaluationSpec;
import org.subspace.protocol.spec.Problem;
import org.subspace.protocol.spec.TrainSpec;
import org.subspace.protocol.stage.CheckpointPolicy;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.workers.data.Datasets;
import org.subspace.workers.data.PreparedSplit;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.eval.RegressionEvaluation;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.Mlp;
import org.subspace.workers.model.SubspaceModel;
import org.subspace.workers.model.SubspaceNetwork;
import org.subspace.workers.random.Rng;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.subspace.Subspace;
import org.subspace.workers.train.CurveTrainer;
import org.subspace.workers.train.SgdTrainer;
import org.subspace.workers.train.TrainingState;

/**
 * Regression MLPs with a Gaussian likelihood: SGD with SWAG, Bezier curves between trainings,
 * and model averages scored by test log-likelihood, RMSE and coverage in the original units
 * of y, with the predictive on a 1-D grid when asked.
 */
final class RegressionFamily implements ModelFamily {
  private final ArtifactStore store;

  RegressionFamily(ArtifactStore store) {
    this.store = store;
  }

  @Override
  public StageExecutor.Result train(TrainSpec spec, ArtifactRef resumeFrom, CheckpointPolicy policy,
      StageExecutor.Context context) {
    Problem problem = spec.problem();
    RegressionData data = Datasets.load(problem.data(), problem.split()).data();
    Mlp mlp = new Mlp(Specs.mlp(problem.model(), data.features()));
    var settings = Specs.training(spec.training(), problem.model());
    TrainingState start = resumeFrom == null
        ? TrainingState.initial(mlp.spec(), settings, spec.seed())
        : store.read(resumeFrom, Codecs::trainingState);
    context.faultPoint((double) start.epochsDone() / settings.epochs());
    TrainingState trained = new SgdTrainer(mlp, data, settings, spec.seed())
        .run(start, StageExecutor.epochListener(store, settings.epochs(), policy, context));
    return StageExecutor.trainedResult(store, trained);
  }

  @Override
  public StageExecutor.Result fitCurve(CurveFitSpec spec, float[] start, float[] end, ArtifactRef resumeFrom,
      CheckpointPolicy policy, StageExecutor.Context context) {
    Problem problem = spec.problem();
    RegressionData data = Datasets.load(problem.data(), problem.split()).data();
    Mlp mlp = new Mlp(Specs.mlp(problem.model(), data.features()));
    CurveSpec curve = spec.curve();
    CurveTrainer trainer = new CurveTrainer(mlp, data, new CurveTrainer.Settings(curve.epochs(), curve.batchSize(),
        curve.lr(), curve.momentum(), curve.weightDecay(), Specs.likelihood(problem.model(), 1.0)), spec.seed());
    CurveTrainer.State from = resumeFrom == null
        ? CurveTrainer.initial(start, end) : Codecs.curveState(store.readTensors(resumeFrom));
    int epochs = curve.epochs();
    int reportEvery = Math.max(1, epochs / StageExecutor.PROGRESS_REPORTS);
    context.faultPoint((double) from.epochsDone() / epochs);
    CurveTrainer.State fitted = trainer.run(start, end, from, (done, loss, snapshot) -> {
      WorkMetrics.EPOCHS.increment();
      if (done % reportEvery == 0) {
        context.progress(done, epochs, String.format("loss along the curve %.4f", loss));
      }
      if (done % policy.trainEpochs() == 0 && done < epochs) {
        context.checkpoint(store.putTensors(ArtifactKind.CURVE_CHECKPOINT, Codecs.curveState(snapshot.get())), done);
      }
      context.faultPoint((double) done / epochs);
    });
    float[] middle = fitted.middle();
    int p = start.length;
    ArtifactRef output = store.putTensors(ArtifactKind.CURVE, Map.of(START, Tensor.of(start, p),
        MIDDLE, Tensor.of(middle, p), END, Tensor.of(end, p)));
    return new StageExecutor.Result(List.of(output), Map.of("final_loss", fitted.lastLoss(),
        "midpoint_loss", trainer.lossAt(start, middle, end, 0.5)));
  }

  @Override
  public SubspaceModel subspaceModel(Problem problem, Subspace subspace, double noiseVariance, int gpu) {
    RegressionData data = Datasets.load(problem.data(), problem.split()).data();
    return new SubspaceNetwork(new Mlp(Specs.mlp(problem.model(), data.features())),
        Specs.likelihood(problem.model(), noiseVariance), subspace, data.trainX(), data.trainY());
  }

  /** The networks to average, ready to predict: the MLP restricted to a subspace, or whole weight vectors. */
  private interface Ensemble extends AutoCloseable {
    float[][][] predict(float[] inputs);

    @Override
    void close();
  }

  @Override
  public StageExecutor.Result evaluate(EvaluateSpec spec, Members members, StageExecutor.Context context) {
    Problem problem = spec.problem();
    PreparedSplit split = Datasets.load(problem.data(), problem.split());
    RegressionData data = split.data();
    Mlp mlp = new Mlp(Specs.mlp(problem.model(), data.features()));
    GaussianLikelihood likelihood = Specs.likelihood(problem.model(), spec.noiseVariance());
    Ensemble ensemble;
    if (members instanceof Members.SubspacePoints points) {
      SubspaceNetwork network = new SubspaceNetwork(mlp, likelihood, points.subspace(), data.trainX(), data.trainY());
      ensemble = new Ensemble() {
        @Override
        public float[][][] predict(float[] inputs) {
          return network.predict(points.zs(), inputs);
        }

        @Override
        public void close() {
          network.close();
        }
      };
    } else {
      float[][] networks = ((Members.Networks) members).weights();
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
      WorkMetrics.testLogLikelihood(problem.data().name(), spec.method(), scores.testLogLikelihood());
      Map<String, Tensor> evaluation = new LinkedHashMap<>();
      evaluation.put(Z, Tensor.ofRows(members.zs()));
      evaluation.put(PRED_MEAN, Tensor.ofRows(predictions[0]));
      evaluation.put(PRED_VAR, Tensor.ofRows(predictions[1]));
      evaluation.put(Y, Tensor.of(data.evalY(), data.evalCount()));
      evaluation.put(Y_MEAN, Tensor.scalar(data.yMean()));
      evaluation.put(Y_STD, Tensor.scalar(data.yStd()));
      List<ArtifactRef> outputs = new ArrayList<>();
      outputs.add(store.putTensors(ArtifactKind.EVALUATION, evaluation));
      if (spec.evaluation().grid().enabled()) {
        outputs.add(store.putTensors(ArtifactKind.GRID, grid(spec.evaluation(), split, ensemble::predict,
            spec.seed())));
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
      return new StageExecutor.Result(outputs, metrics);
    }
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
    t.put(X, Tensor.of(xs, xs.length));
    t.put(MEAN, Tensor.of(mean, xs.length));
    t.put(STD, Tensor.of(std, xs.length));
    t.put(STD_WITH_NOISE, Tensor.of(stdWithNoise, xs.length));
    t.put(SAMPLE_FUNCTIONS, Tensor.of(functions, shown, xs.length));
    t.put(TRAIN_X, Tensor.of(trainX, trainX.length));
    t.put(TRAIN_Y, Tensor.of(trainY, trainY.length));
    return t;
  }
}
