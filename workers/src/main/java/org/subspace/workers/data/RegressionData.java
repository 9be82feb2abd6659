package org.subspace.workers.data;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.vocabulary.EvalSet;
import org.subspace.protocol.vocabulary.FeatureMap;

/**
 * Train and evaluation rows ready for the network: features mapped and (optionally)
 * standardized, stored row-major as float arrays, with the target's mean and standard
 * deviation kept to report scores in original units.
 *
 * @param trainRows indices of the training rows in the source table
 * @param evalRows indices of the scored rows in the source table
 * @param evalSet test for held-out rows, train when the model is scored on its own
 *     training rows (the reference's toy figure trains on all points)
 */
public record RegressionData(
    int[] trainRows,
    int[] evalRows,
    int features,
    float[] trainX,
    float[] trainY,
    float[] evalX,
    float[] evalY,
    double yMean,
    double yStd,
    FeatureMap featureMap,
    double[] xMean,
    double[] xStd,
    EvalSet evalSet) {

  /** Standard deviations of features get this added, as in the reference, so constant columns stay finite. */
  public static final double FEATURE_STD_EPSILON = 1e-6;

  public int trainCount() {
    return trainY.length;
  }

  public int evalCount() {
    return evalY.length;
  }

  /**
   * The reference implementation's split {@code index}: a legacy NumPy shuffle seeded with
   * the index, the first {@code floor(0.9 n)} rows train, the rest test; standardization (if
   * asked) uses the whole table.
   */
  public static RegressionData referenceSplit(Table table, int index, FeatureMap map, boolean standardize) {
    int n = table.rows();
    int[] permutation = LegacyNumpyShuffle.permutation(n, index);
    int trainCount = referenceTrainCount(n);
    return of(table, Arrays.copyOfRange(permutation, 0, trainCount),
        Arrays.copyOfRange(permutation, trainCount, n), map, standardize, EvalSet.TEST);
  }

  /** How many of a table's {@code n} rows train in a reference split. */
  public static int referenceTrainCount(int n) {
    return (int) (0.9 * n);
  }

  /** Every row trains, and the same rows are scored ({@code evalSet} is train). */
  public static RegressionData allRows(Table table, FeatureMap map, boolean standardize) {
    int[] all = IntStream.range(0, table.rows()).toArray();
    return of(table, all, all, map, standardize, EvalSet.TRAIN);
  }

  /** Separate train and test tables; standardization uses both together, like the whole-data protocol. */
  public static RegressionData heldOut(Table train, Table test, FeatureMap map, boolean standardize) {
    double[][] x = new double[train.rows() + test.rows()][];
    double[] y = new double[x.length];
    for (int i = 0; i < train.rows(); i++) {
      x[i] = train.features()[i];
      y[i] = train.target()[i];
    }
    for (int i = 0; i < test.rows(); i++) {
      x[train.rows() + i] = test.features()[i];
      y[train.rows() + i] = test.target()[i];
    }
    Table all = new Table(x, y, train.source());
    return of(all, IntStream.range(0, train.rows()).toArray(),
        IntStream.range(train.rows(), x.length).toArray(), map, standardize, EvalSet.TEST);
  }

  private static RegressionData of(
      Table table, int[] trainRows, int[] evalRows, FeatureMap map, boolean standardize, EvalSet evalSet) {
    int d = map.outputColumns(table.columns());
    double[][] mapped = new double[table.rows()][];
    for (int i = 0; i < mapped.length; i++) {
      mapped[i] = map.apply(table.features()[i]);
    }
    double[] xMean = new double[d];
    double[] xStd = new double[d];
    Arrays.fill(xStd, 1.0);
    double yMean = 0.0;
    double yStd = 1.0;
    if (standardize) {
      for (int j = 0; j < d; j++) {
        final int column = j;
        double[] values = Arrays.stream(mapped).mapToDouble(row -> row[column]).toArray();
        xMean[j] = mean(values);
        xStd[j] = populationStd(values, xMean[j]) + FEATURE_STD_EPSILON;
      }
      yMean = mean(table.target());
      yStd = populationStd(table.target(), yMean);
      if (yStd == 0.0) {
        throw new BadInputException(table.source() + ": the target column is constant");
      }
    }
    return new RegressionData(trainRows, evalRows, d,
        rowsOf(mapped, trainRows, xMean, xStd), targetsOf(table.target(), trainRows, yMean, yStd),
        rowsOf(mapped, evalRows, xMean, xStd), targetsOf(table.target(), evalRows, yMean, yStd),
        yMean, yStd, map, xMean, xStd, evalSet);
  }

  /** Maps and standardizes new raw inputs (e.g. a plotting grid) exactly as the training rows were. */
  public float[] transformInputs(double[][] raw) {
    float[] out = new float[raw.length * features];
    for (int i = 0; i < raw.length; i++) {
      double[] row = featureMap.apply(raw[i]);
      for (int j = 0; j < features; j++) {
        out[i * features + j] = (float) ((row[j] - xMean[j]) / xStd[j]);
      }
    }
    return out;
  }

  private static float[] rowsOf(double[][] x, int[] rows, double[] mean, double[] std) {
    int d = mean.length;
    float[] out = new float[rows.length * d];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < d; j++) {
        out[i * d + j] = (float) ((x[rows[i]][j] - mean[j]) / std[j]);
      }
    }
    return out;
  }

  private static float[] targetsOf(double[] y, int[] rows, double mean, double std) {
    float[] out = new float[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = (float) ((y[rows[i]] - mean) / std);
    }
    return out;
  }

  private static double mean(double[] v) {
    double s = 0.0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double populationStd(double[] v, double mean) {
    double s = 0.0;
    for (double x : v) {
      s += (x - mean) * (x - mean);
    }
    return Math.sqrt(s / v.length);
  }
}
