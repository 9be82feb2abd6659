package org.subspace.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.subspace.protocol.RegressionScores;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.data.Table;
import org.subspace.workers.data.TableFormat;
import org.subspace.workers.data.TableLoader;
import org.subspace.workers.eval.RegressionEvaluation;
import org.subspace.workers.inference.EllipticalSliceSampler;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.Mlp;
import org.subspace.workers.model.MlpSpec;
import org.subspace.workers.model.SubspaceNetwork;
import org.subspace.workers.subspace.Subspace;
import org.subspace.workers.subspace.Subspaces;
import org.subspace.workers.train.LearningRateSchedule;
import org.subspace.workers.train.SgdTrainer;
import org.subspace.workers.train.TrainingSettings;
import org.subspace.workers.train.TrainingState;

/** The README's library example, run for real: one Boston split with the paper's settings. */
class LibraryUsageTest {

  @Test
  void oneBostonSplitWithThePapersSettingsScoresLikeThePaper() {
    Table table = TableLoader.load(Path.of("../shared/data/uci/boston/data.txt"), TableFormat.uci());
    RegressionData data = RegressionData.referenceSplit(table, 1, FeatureMap.RAW, true);
    MlpSpec spec = new MlpSpec(data.features(), List.of(50), Activation.RELU, Head.HETEROSCEDASTIC);
    GaussianLikelihood nll = new GaussianLikelihood(Head.HETEROSCEDASTIC, 1.0);
    TrainingSettings training =
        new TrainingSettings(300, 30, LearningRateSchedule.constant(1e-3), 0.9, 0.1, 200, 20, nll);

    TrainingState trained = new SgdTrainer(new Mlp(spec), data, training, 1)
        .run(TrainingState.initial(spec, training, 1), null);
    Subspace pca = Subspaces.pca(trained.swag().meanAsFloats(), trained.swag().deviations(), 20);

    RegressionScores scores;
    try (SubspaceNetwork network = new SubspaceNetwork(new Mlp(spec), nll, pca, data.trainX(), data.trainY())) {
      EllipticalSliceSampler ess =
          new EllipticalSliceSampler(new EllipticalSliceSampler.Settings(30, 0, 1, Math.sqrt(Math.E), 0.1));
      EllipticalSliceSampler.Chain chain =
          ess.run(ess.start(new double[20], 7, network::logLikelihood), network::logLikelihood, null);
      float[][][] predictions = network.predict(chain.samples().toArray(new double[0][]), data.evalX());
      scores = RegressionEvaluation.score(predictions[0], predictions[1], data.evalY(), data.yStd());
    }
    assertEquals(51, scores.points());
    // The paper's Boston PCA+ESS test LL is -2.719 +- 0.132 over 20 splits and RMSE 3.453 +- 0.953;
    // one split lands within a few of those standard deviations.
    assertTrue(scores.testLogLikelihood() > -3.2 && scores.testLogLikelihood() < -2.2, "test LL " + scores);
    assertTrue(scores.rmse() > 1.5 && scores.rmse() < 5.5, "RMSE " + scores);
  }
}
