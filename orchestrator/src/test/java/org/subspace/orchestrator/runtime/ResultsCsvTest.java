package org.subspace.orchestrator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.plan.Configuration;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.vocabulary.EvalSet;
import org.subspace.protocol.vocabulary.Method;
import org.subspace.protocol.vocabulary.SubspaceKind;

/** results.csv as earlier versions wrote it, read back into the same rows. */
class ResultsCsvTest {
  private static final String HEADER = "dataset,split,seed,subspace,rank,method,temperature,test_ll,rmse,"
      + "coverage95,train_seconds,sample_seconds,status,mixture_ll,std_test_ll,std_rmse,eval_set,eval_points,"
      + "samples,likelihood_evals,gradient_evals,accuracy,nll,ece,brier,error,stage_key\n";
  private static final String KEY = "0123456789abcdef".repeat(4);

  @TempDir Path dir;

  private static StageManifest manifest(StageKind kind, double seconds, Map<String, Double> metrics) {
    return new StageManifest(kind.label(), kind, List.of(), metrics, seconds, 1);
  }

  /** A chain in a PCA subspace: its samples and their cost from the chain, the scores from the evaluation. */
  private static final ResultRow CHAIN = ResultRow.of(
      new Configuration("toy", "held-out", 1, SubspaceKind.PCA, 10, Method.ESS, 1.5, EvalSet.TEST), KEY,
      manifest(StageKind.TRAIN, 12.346, Map.of("loss", 0.1)),
      manifest(StageKind.SAMPLE, 3.21, Map.of("samples", 300.0, "likelihood_evals", 4567.0)),
      manifest(StageKind.EVALUATE, 0.5, Map.of("test_ll", 0.123, "rmse", 0.05, "coverage95", 0.95, "mixture_ll", 0.2,
          "std_test_ll", 1.1, "std_rmse", 0.3, "eval_points", 200.0)),
      "not run");
  /** A baseline that failed, on a dataset whose name needs quoting, with an error that needs more. */
  private static final ResultRow FAILED = ResultRow.of(
      new Configuration("my,data", "1", 2, null, 0, Method.SGD, Double.NaN, EvalSet.TRAIN), KEY.replace('0', 'f'),
      manifest(StageKind.TRAIN, 1, Map.of()), null, null, "boom, \"bad\"\nnext line");
  /** A classifier: accuracy, NLL, ECE and Brier, and no RMSE. */
  private static final ResultRow CLASSIFIER = ResultRow.of(
      new Configuration("digits", "test", 3, SubspaceKind.RANDOM, 2, Method.VI, 100, EvalSet.TEST), "c".repeat(64),
      manifest(StageKind.TRAIN, 2, Map.of()),
      manifest(StageKind.SAMPLE, 1, Map.of("samples", 20.0, "likelihood_evals", 0.0, "gradient_evals", 40.0)),
      manifest(StageKind.EVALUATE, 0.1, Map.of("test_ll", -0.3, "accuracy", 0.9, "nll", 0.3, "ece", 0.01,
          "brier", 0.1, "eval_points", 12.0)),
      "not run");

  @Test
  void theFileIsWrittenAsBefore() {
    assertEquals(HEADER, ResultsCsv.header());
    assertEquals("toy,held-out,1,pca,10,ess,1.5,0.123,0.05,0.95,12.346,3.210,ok,0.2,1.1,0.3,test,200,300,4567,,,,,,,"
        + KEY + "\n", ResultsCsv.line(CHAIN));
    assertEquals("\"my,data\",1,2,none,0,sgd,,,,,1.000,0.000,failed,,,,train,,,,,,,,,\"boom, \"\"bad\"\" next line\","
        + KEY.replace('0', 'f') + "\n", ResultsCsv.line(FAILED));
    assertEquals("digits,test,3,random,2,vi,100.0,-0.3,,,2.000,1.000,ok,,,,test,12,20,0,40,0.9,0.3,0.01,0.1,,"
        + "c".repeat(64) + "\n", ResultsCsv.line(CLASSIFIER));
    assertEquals(HEADER + ResultsCsv.line(CHAIN) + ResultsCsv.line(FAILED), ResultsCsv.write(List.of(CHAIN, FAILED)));
  }

  @Test
  void rowsReadBackAsTheyWereWritten() throws IOException {
    Path file = dir.resolve("results.csv");
    Files.writeString(file, ResultsCsv.write(List.of(CHAIN, FAILED, CLASSIFIER)));
    List<ResultRow> rows = ResultsCsv.read(file);
    assertEquals(List.of(CHAIN, FAILED, CLASSIFIER), rows);
    ResultRow baseline = rows.get(1);
    assertNull(baseline.subspace());
    assertTrue(Double.isNaN(baseline.temperature()) && Double.isNaN(baseline.testLl()));
    assertNull(baseline.samples());
    assertEquals("boom, \"bad\" next line", baseline.error(), "one line");
    assertNull(rows.get(0).error());
    assertEquals(CHAIN.configuration(), rows.get(0).configuration());
  }

  @Test
  void aFileOfAnotherLayoutIsRefusedNamingItAndTheLine() throws IOException {
    Path renamed = dir.resolve("renamed.csv");
    Files.writeString(renamed, HEADER.replace("test_ll", "test_loglik") + ResultsCsv.line(CHAIN));
    BadInputException e = assertThrows(BadInputException.class, () -> ResultsCsv.read(renamed));
    assertTrue(e.getMessage().startsWith(renamed + ":1: "), e.getMessage());
    assertTrue(e.getMessage().contains("test_ll"), e.getMessage());

    Path truncated = dir.resolve("short.csv");
    Files.writeString(truncated, HEADER + ResultsCsv.line(CHAIN) + "toy,held-out,1,pca\n");
    e = assertThrows(BadInputException.class, () -> ResultsCsv.read(truncated));
    assertTrue(e.getMessage().startsWith(truncated + ":3: "), e.getMessage());

    for (String broken : List.of(",ess,", ",10,")) {
      Path empty = dir.resolve("empty.csv");
      Files.writeString(empty, HEADER + ResultsCsv.line(CHAIN).replace(broken, ",,"));
      e = assertThrows(BadInputException.class, () -> ResultsCsv.read(empty), broken);
      assertTrue(e.getMessage().startsWith(empty + ":2: "), e.getMessage());
    }
  }

  @Test
  void theLogDropsATornRowAndWritesNoRowTwice() throws IOException {
    Path file = dir.resolve("results.csv");
    try (ResultsLog log = new ResultsLog(file)) {
      log.append(CHAIN);
      log.append(CHAIN);
    }
    Files.writeString(file, Files.readString(file) + "digits,test,3,ran");
    try (ResultsLog log = new ResultsLog(file)) {
      log.append(CHAIN);
      log.append(FAILED);
    }
    assertEquals(HEADER + ResultsCsv.line(CHAIN) + ResultsCsv.line(FAILED), Files.readString(file));
    try (ResultsLog log = new ResultsLog(file)) {
      log.rewrite(List.of(FAILED));
    }
    assertEquals(List.of(FAILED), ResultsCsv.read(file));
  }
}
