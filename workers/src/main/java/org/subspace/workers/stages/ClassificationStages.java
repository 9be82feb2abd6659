package org.subspace.workers.stages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.spec.ModelSpec;
import org.subspace.protocol.stage.CheckpointPolicy;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.workers.data.ImageData;
import org.subspace.workers.eval.ClassificationEvaluation;
import org.subspace.workers.model.SubspaceModel;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.subspace.Subspace;
import org.subspace.workers.train.TrainingState;
import org.subspace.workers.vision.ClassifierNetwork;
import org.subspace.workers.vision.ClassifierTrainer;
import org.subspace.workers.vision.ImageDatasets;
import org.subspace.workers.vision.SubspaceClassifier;

/**
 * The stages of image classifiers, on the device of the attempt's slot: training (SGD with
 * SWAG, checkpointed like the regression trainer), the subspace model the samplers use, and the
 * Bayesian model average of the sampled networks' softmax probabilities, each network's
 * BatchNorm statistics recomputed on the training images first.
 */
final class ClassificationStages {
  private final ArtifactStore store;

  ClassificationStages(ArtifactStore store) {
    this.store = store;
  }

  StageExecutor.Result train(Stage.Train stage, ArtifactRef resumeFrom, CheckpointPolicy policy,
      StageExecutor.Context context) {
    ImageDatasets.Split split = ImageDatasets.load(stage.data());
    try (ClassifierNetwork network = network(stage.model(), split.train(), context.gpu())) {
      ClassifierTrainer trainer = new ClassifierTrainer(network, split.train(),
          Specs.classifierTraining(stage.training(), stage.data().images().augment()), stage.seed());
      TrainingState start = resumeFrom == null
          ? trainer.initial() : Codecs.trainingState(store.readTensors(resumeFrom));
      context.faultPoint((double) start.epochsDone() / stage.training().epochs());
      TrainingState trained = trainer.run(start,
          StageExecutor.epochListener(store, stage.training().epochs(), policy, context));
      return StageExecutor.trainedResult(store, trained);
    }
  }

  /** The classifier restricted to {@code subspace}, with the training images (it owns the network). */
  SubspaceModel subspaceModel(DataSpec data, ModelSpec model, Subspace subspace, int gpu) {
    ImageData train = ImageDatasets.load(data).train();
    return new SubspaceClassifier(network(model, train, gpu), subspace, train);
  }

  StageExecutor.Result evaluate(Stage.Evaluate stage, StageExecutor.Context context) {
    ImageDatasets.Split split = ImageDatasets.load(stage.data());
    ArtifactRef samples = stage.samples();
    List<float[][]> probabilities = new ArrayList<>();
    double[][] zs = new double[0][];
    if (samples.kind().equals(StageExecutor.CHAIN) || samples.kind().equals(StageExecutor.VARIATIONAL)) {
      List<double[]> points = List.of(store.readTensors(samples).get("z").doubleRows());
      zs = samples.kind().equals(StageExecutor.CHAIN)
          ? StageExecutor.draws(points, stage.evaluation().draws(), stage.seed()) : points.toArray(new double[0][]);
      Subspace subspace = StageExecutor.subspaceOfRank(store, stage.subspace(), stage.rank());
      try (SubspaceClassifier classifier = new SubspaceClassifier(network(stage.model(), split.train(),
          context.gpu()), subspace, split.train())) {
        for (int s = 0; s < zs.length; s++) {
          probabilities.add(classifier.probabilitiesAt(zs[s], split.test()));
          reportEvery(context, s + 1, zs.length);
        }
      }
    } else {
      float[][] networks = samples.kind().equals(StageExecutor.SWAG_SAMPLES)
          ? store.readTensors(samples).get("weights").floatRows()
          : new float[][] {Codecs.trainingState(store.readTensors(samples)).weights()};
      try (ClassifierNetwork network = network(stage.model(), split.train(), context.gpu())) {
        for (int s = 0; s < networks.length; s++) {
          network.setWeights(networks[s]);
          network.recomputeBatchNorm(split.train(), SubspaceClassifier.BATCH);
          probabilities.add(network.probabilities(split.test(), SubspaceClassifier.BATCH));
          reportEvery(context, s + 1, networks.length);
        }
      }
    }
    double[][] average = ClassificationEvaluation.average(probabilities.toArray(new float[0][][]));
    ClassificationEvaluation.Scores scores = ClassificationEvaluation.score(average, split.test().labels());
    WorkMetrics.testLogLikelihood(stage.data().name(), stage.method(), -scores.nll());
    Map<String, Tensor> evaluation = new LinkedHashMap<>();
    evaluation.put("z", Tensor.ofRows(zs));
    evaluation.put("probabilities", Tensor.ofRows(average));
    long[] labels = new long[split.test().count()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = split.test().labels()[i];
    }
    evaluation.put("labels", Tensor.of(labels, labels.length));
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("test_ll", -scores.nll());
    metrics.put("accuracy", scores.accuracy());
    metrics.put("nll", scores.nll());
    metrics.put("ece", scores.ece());
    metrics.put("brier", scores.brier());
    metrics.put("eval_points", (double) scores.points());
    metrics.put("draws", (double) probabilities.size());
    return new StageExecutor.Result(List.of(store.putTensors(StageExecutor.EVALUATION, evaluation)), metrics);
  }

  /** About twenty progress reports over {@code total} networks. */
  private static void reportEvery(StageExecutor.Context context, int done, int total) {
    if (done % Math.max(1, total / 20) == 0) {
      context.progress(done, total, "networks averaged");
    }
  }

  private static ClassifierNetwork network(ModelSpec model, ImageData train, int gpu) {
    return new ClassifierNetwork(Specs.architecture(model), train.classes(), train.channels(), train.height(),
        train.width(), Specs.device(gpu));
  }
}
