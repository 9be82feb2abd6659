package org.subspace.workers.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.protocol.vocabulary.Schedule;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.data.Table;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.Mlp;
import org.subspace.workers.model.MlpSpec;
import org.subspace.workers.random.Rng;

class SgdTrainerTest {
  private static final MlpSpec SPEC = new MlpSpec(2, List.of(8), Activation.TANH, Head.MEAN);
  private static final GaussianLikelihood MSE_HALF = new GaussianLikelihood(Head.MEAN, 1.0);

  private static RegressionData linearData(int n) {
    Rng rng = new Rng(9);
    double[][] x = new double[n][2];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i][0] = rng.nextGaussian();
      x[i][1] = rng.nextGaussian();
      y[i] = 2 * x[i][0] - x[i][1] + 0.1 * rng.nextGaussian();
    }
    return RegressionData.allRows(new Table(x, y, "linear"), FeatureMap.RAW, false);
  }

  private static TrainingSettings settings(int epochs, int batch, double weightDecay) {
    return new TrainingSettings(epochs, batch, LearningRateSchedule.constant(0.05), 0.9, weightDecay,
        epochs / 2, 4, MSE_HALF);
  }

  @Test
  void learnsAndCollectsOneModelPerEpochAfterSwagStarts() {
    RegressionData data = linearData(64);
    TrainingSettings settings = settings(60, 16, 0.0);
    SgdTrainer trainer = new SgdTrainer(new Mlp(SPEC), data, settings, 1);
    double[] firstLoss = {Double.NaN};
    TrainingState done = trainer.run(TrainingState.initial(SPEC, settings, 1), (epoch, loss, snapshot) -> {
      if (epoch == 1) {
        firstLoss[0] = loss;
      }
    });
    double floor = 0.5 * Math.log(2 * Math.PI);
    // The batch-mean NLL with unit variance is MSE/2 + log(2 pi)/2; noise alone gives MSE 0.01.
    assertTrue(done.lastLoss() - floor < 0.05, "fits the linear target: " + (done.lastLoss() - floor));
    assertTrue(firstLoss[0] - floor > 10 * (done.lastLoss() - floor), "loss fell by 10x");
    assertEquals(30, done.swag().count());
    assertEquals(4, done.swag().deviations().size());
  }

  @Test
  void sameSeedGivesIdenticalWeightsAndResumingIsBitIdentical() {
    RegressionData data = linearData(50);
    TrainingSettings settings = settings(20, 16, 1e-3);
    SgdTrainer trainer = new SgdTrainer(new Mlp(SPEC), data, settings, 7);
    AtomicReference<TrainingState> checkpoint = new AtomicReference<>();
    TrainingState straight = trainer.run(TrainingState.initial(SPEC, settings, 7), (epoch, loss, snapshot) -> {
      if (epoch == 13) {
        checkpoint.set(snapshot.get().copy());
      }
    });
    TrainingState again = trainer.run(TrainingState.initial(SPEC, settings, 7), null);
    TrainingState resumed = trainer.run(checkpoint.get(), null);
    assertArrayEquals(straight.weights(), again.weights());
    assertArrayEquals(straight.weights(), resumed.weights());
    assertArrayEquals(straight.momentum(), resumed.momentum());
    assertArrayEquals(straight.swag().mean(), resumed.swag().mean());
    for (int k = 0; k < 4; k++) {
      assertArrayEquals(straight.swag().deviations().get(k), resumed.swag().deviations().get(k));
    }
  }

  @Test
  void followsPyTorchsMomentumAndWeightDecayRule() {
    // One full batch per epoch, so each epoch is one step and the update can be replayed by hand.
    RegressionData data = linearData(12);
    double lr = 0.05;
    double momentum = 0.9;
    double decay = 0.1;
    TrainingSettings settings = new TrainingSettings(2, 12, LearningRateSchedule.constant(lr), momentum, decay, 1, 2,
        MSE_HALF);
    Mlp mlp = new Mlp(SPEC);
    TrainingState start = TrainingState.initial(SPEC, settings, 3);
    TrainingState trained = new SgdTrainer(mlp, data, settings, 3).run(start, null);

    try (NDManager manager = NDManager.newBaseManager()) {
      // Row order does not change a full-batch mean, so the shuffle can be ignored here.
      NDArray x = manager.create(data.trainX(), new Shape(12, 2));
      NDArray y = manager.create(data.trainY());
      NDArray w = manager.create(start.weights(), new Shape(1, start.weights().length));
      NDArray g0 = mlp.logLikelihoodWithGradient(x, y, w, MSE_HALF).gradient().div(-12).add(w.mul(decay));
      NDArray buffer = g0;
      NDArray w1 = w.sub(buffer.mul(lr));
      NDArray g1 = mlp.logLikelihoodWithGradient(x, y, w1, MSE_HALF).gradient().div(-12).add(w1.mul(decay));
      buffer = buffer.mul(momentum).add(g1);
      NDArray w2 = w1.sub(buffer.mul(lr));
      assertArrayEquals(w2.toFloatArray(), trained.weights(), 1e-6f);
      assertArrayEquals(buffer.toFloatArray(), trained.momentum(), 1e-6f);
    }
  }

  @Test
  void swagScheduleHoldsDecaysAndHolds() {
    LearningRateSchedule schedule = new LearningRateSchedule(Schedule.SWAG, 0.1, 0.01, 100);
    assertEquals(0.1, schedule.rate(0), 1e-12);
    assertEquals(0.1, schedule.rate(50), 1e-12);
    assertEquals(0.1 * (1 - 0.9 * 0.5), schedule.rate(70), 1e-12);
    assertEquals(0.01, schedule.rate(95), 1e-12);
  }

  @Test
  void aDivergingTrainingStopsWithItsEpochInsteadOfPassingNaNsOn() {
    RegressionData data = linearData(32);
    TrainingSettings explosive = new TrainingSettings(20, 8, LearningRateSchedule.constant(1e4), 0.9, 0, 10, 2,
        MSE_HALF);
    SgdTrainer.TrainingDivergedException e = assertThrows(SgdTrainer.TrainingDivergedException.class,
        () -> new SgdTrainer(new Mlp(SPEC), data, explosive, 1).run(TrainingState.initial(SPEC, explosive, 1), null));
    assertTrue(e.getMessage().startsWith("training diverged: the loss is "), e.getMessage());
    assertTrue(e.getMessage().contains("training.lr"), e.getMessage());
  }
}
