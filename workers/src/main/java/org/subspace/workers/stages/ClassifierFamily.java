package org.subspace.workers.stages;

import static org.subspace.protocol.tensor.TensorNames.LABELS;
import static org.subspace.protocol.tensor.TensorNames.PROBABILITIES;
import static org.subspace.protocol.tensor.TensorNames.Z;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.subspace.protocol.spec.EvaluateSpec;
import org.subspace.protocol.spec.ModelSpec;
import org.subspace.protocol.spec.Problem;
import org.subspace.protocol.spec.TrainSpec;
import org.subspace.protocol.stage.CheckpointPolicy;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.vocabulary.ArtifactKind;
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
 * Image classifiers, on the device of the attempt's slot: training (SGD with SWAG, checkpointed
 * like the regression trainer), the subspace model the samplers use, and the Bayesian model
 * average of the sampled networks' softmax probabilities, each network's BatchNorm statistics
 * recomputed on the training images first.
 */
final class ClassifierFamily implements ModelFamily {
  private final ArtifactStore store;

  ClassifierFamily(ArtifactStore store) {
    this.store = store;
  }

  @Override
  public StageExecutor.Result train(TrainSpec spec, ArtifactRef resumeFrom, CheckpointPolicy policy,
      StageExecutor.Context context) {
    Problem problem = spec.problem();
    ImageDatasets.Split split = ImageDatasets.load(problem.data());
    try (ClassifierNetwork network = network(problem.model(), split.train(), context.gpu())) {
      ClassifierTrainer trainer = new ClassifierTrainer(network, split.train(),
          Specs.classifierTraining(spec.training(), problem.data().images().augment()), spec.seed());
      TrainingState start = resumeFrom == null
          ? trainer.initial() : store.read(resumeFrom, Codecs::trainingState);
      context.faultPoint((double) start.epochsDone() / spec.training().epochs());
      TrainingState trained = trainer.run(start,
          StageExecutor.epochListener(store, spec.training().epochs(), policy, context));
      return StageExecutor.trainedResult(store, trained);
    }
  }

  /** The classifier restricted to {@code subspace}, with the training images (it owns the network). */
  @Override
  public SubspaceModel subspaceModel(Problem problem, Subspace subspace, double noiseVariance, int gpu) {
    ImageData train = ImageDatasets.load(problem.data()).train();
    return new SubspaceClassifier(network(problem.model(), train, gpu), subspace, train);
  }

  @Override
  public StageExecutor.Result evaluate(EvaluateSpec spec, Members members, StageExecutor.Context context) {
    Problem problem = spec.problem();
    ImageDatasets.Split split = ImageDatasets.load(problem.data());
    List<float[][]> probabilities = new ArrayList<>();
    if (members instanceof Members.SubspacePoints points) {
      double[][] zs = points.zs();
      try (SubspaceClassifier classifier = new SubspaceClassifier(network(problem.model(), split.train(),
          context.gpu()), points.subspace(), split.train())) {
        for (int s = 0; s < zs.length; s++) {
          probabilities.add(classifier.probabilitiesAt(zs[s], split.test()));
          reportEvery(context, s + 1, zs.length);
        }
      }
    } else {
      float[][] networks = ((Members.Networks) members).weights();
      try (ClassifierNetwork network = network(problem.model(), split.train(), context.gpu())) {
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
    WorkMetrics.testLogLikelihood(problem.data().name(), spec.method(), -scores.nll());
    Map<String, Tensor> evaluation = new LinkedHashMap<>();
    evaluation.put(Z, Tensor.ofRows(members.zs()));
    evaluation.put(PROBABILITIES, Tensor.ofRows(average));
    long[] labels = new long[split.test().count()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = split.test().labels()[i];
    }
    evaluation.put(LABELS, Tensor.of(labels, labels.length));
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("test_ll", -scores.nll());
    metrics.put("accuracy", scores.accuracy());
    metrics.put("nll", scores.nll());
    metrics.put("ece", scores.ece());
    metrics.put("brier", scores.brier());
    metrics.put("eval_points", (double) scores.points());
    metrics.put("draws", (double) probabilities.size());
    return new StageExecutor.Result(List.of(store.putTensors(ArtifactKind.EVALUATION, evaluation)), metrics);
  }

  /** About twenty progress reports over {@code total} networks. */
  private static void reportEvery(StageExecutor.Context context, int done, int total) {
    if (done % Math.max(1, total / StageExecutor.PROGRESS_REPORTS) == 0) {
      context.progress(done, total, "networks averaged");
    }
  }

  private static ClassifierNetwork network(ModelSpec model, ImageData train, int gpu) {
    return new ClassifierNetwork(model.architecture(), train.classes(), train.channels(), train.height(),
        train.width(), Specs.device(gpu));
  }
}
