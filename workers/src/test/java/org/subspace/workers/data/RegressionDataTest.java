package org.subspace.workers.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.subspace.protocol.vocabulary.EvalSet;
import org.subspace.protocol.vocabulary.FeatureMap;

class RegressionDataTest {

  @Test
  void referenceSplitStandardizesWithTheWholeTable() {
    Table boston = TableLoader.load(Path.of("../shared/data/uci/boston/data.txt"), TableFormat.uci());
    RegressionData data = RegressionData.referenceSplit(boston, 1, FeatureMap.RAW, true);
    assertEquals(455, data.trainCount());
    assertEquals(51, data.evalCount());
    assertArrayEquals(Arrays.copyOf(LegacyNumpyShuffle.permutation(506, 1), 455), data.trainRows());
    // Over all 506 rows the standardized target has mean 0 and population std 1.
    double sum = 0;
    double squares = 0;
    for (float[] part : new float[][] {data.trainY(), data.evalY()}) {
      for (float v : part) {
        sum += v;
        squares += v * v;
      }
    }
    assertEquals(0.0, sum / 506, 1e-6);
    assertEquals(1.0, squares / 506, 1e-5);
    double rawY = boston.target()[data.trainRows()[0]];
    assertEquals(rawY, data.yMean() + data.yStd() * data.trainY()[0], 1e-4);
  }

  @Test
  void toyFeaturesAreHalfXAndItsSquare() {
    Table toy = new Table(new double[][] {{3.0}, {-1.0}}, new double[] {0.5, 0.25}, "inline");
    RegressionData data = RegressionData.allRows(toy, FeatureMap.TOY_QUADRATIC, false);
    assertArrayEquals(new float[] {1.5f, 2.25f, -0.5f, 0.25f}, data.trainX());
    assertEquals(EvalSet.TRAIN, data.evalSet());
    assertArrayEquals(new float[] {2.5f, 6.25f}, data.transformInputs(new double[][] {{5.0}}));
  }
}
