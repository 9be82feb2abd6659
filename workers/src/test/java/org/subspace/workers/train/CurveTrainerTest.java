package org.subspace.workers.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.data.ToyRegression;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.Mlp;
import org.subspace.workers.model.MlpSpec;

/** Mode connectivity on the toy regression: the fitted curve bends around the straight line's barrier. */
class CurveTrainerTest {
  private static final MlpSpec SPEC = new MlpSpec(2, List.of(50, 50), Activation.RELU, Head.MEAN);
  private static final GaussianLikelihood MSE_HALF = new GaussianLikelihood(Head.MEAN, 1.0);

  @Test
  void theCurvesMidpointHasLowerTrainingLossThanTheStraightLine() {
    RegressionData data = RegressionData.allRows(ToyRegression.generate(400, 0), FeatureMap.TOY_QUADRATIC, true);
    TrainingSettings training = new TrainingSettings(300, 50, LearningRateSchedule.constant(0.01), 0.95, 0.0, 250,
        10, MSE_HALF);
    Mlp mlp = new Mlp(SPEC);
    float[] start = new SgdTrainer(mlp, data, training, 1).run(TrainingState.initial(SPEC, training, 1), null)
        .weights();
    float[] end = new SgdTrainer(mlp, data, training, 2).run(TrainingState.initial(SPEC, training, 2), null)
        .weights();
    CurveTrainer curve = new CurveTrainer(mlp, data, new CurveTrainer.Settings(300, 50, 0.01, 0.95, 0.0, MSE_HALF), 3);
    double[] losses = new double[2];
    CurveTrainer.State[] atEpoch100 = new CurveTrainer.State[1];
    float[] middle = curve.run(start, end, CurveTrainer.initial(start, end), (epoch, loss, snapshot) -> {
      losses[epoch == 1 ? 0 : 1] = loss;
      if (epoch == 100) {
        atEpoch100[0] = snapshot.get();
      }
    }).middle();
    assertArrayEquals(middle, curve.run(start, end, atEpoch100[0], null).middle(),
        "resuming from epoch 100 gives the same curve, bit for bit");
    float[] lineMiddle = new float[start.length];
    for (int i = 0; i < start.length; i++) {
      lineMiddle[i] = 0.5f * (start[i] + end[i]);
    }
    double onLine = curve.lossAt(start, lineMiddle, end, 0.5);
    double onCurve = curve.lossAt(start, middle, end, 0.5);
    double atEnds = Math.max(curve.lossAt(start, middle, end, 0.0), curve.lossAt(start, middle, end, 1.0));
    double floor = 0.5 * Math.log(2 * Math.PI);
    System.out.printf("curve: excess loss at the ends %.5f, line midpoint %.5f, curve midpoint %.5f%n",
        atEnds - floor, onLine - floor, onCurve - floor);
    assertTrue(onLine - floor > 2 * (atEnds - floor), "the straight line crosses a barrier");
    assertTrue(onCurve < onLine, "the curve's midpoint beats the line's: " + onCurve + " vs " + onLine);
    assertTrue(onCurve - floor < 0.5 * (onLine - floor), "by more than half the excess loss");
    assertTrue(losses[1] < losses[0], "the expected loss along the curve fell while fitting");
  }
}
