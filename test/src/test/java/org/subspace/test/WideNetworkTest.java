package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.runtime.ResultRow;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.workers.model.MlpSpec;

/**
 * The report that opened issue 15, as a user ran it: boston with a 13-5500-5000-2 network
 * (27.6M weights), SWAG from epoch 1 keeping 20 deviations — a 2.2 GB training state and a
 * 2.2 GB subspace — through PCA, ESS and evaluation in one JVM with the default heap. It used
 * to fail with OutOfMemoryError on every attempt. Full-batch training (455 rows a step) keeps it to
 * a couple of minutes: the batch size changes neither the weights nor any artifact's size.
 */
class WideNetworkTest {
  @TempDir Path dir;

  @Test
  void aTrainingStateOverTwoGibibytesRunsToAnEvaluationInOneJvm() throws Exception {
    Path out = dir.resolve("wide");
    Path log = dir.resolve("wide.log");
    // Two intra-op threads, as a user of a 2-core machine would set SUBSPACE_THREADS: this test runs alone.
    Process run = TestRuns.child(log, 2, List.of("run", "config/sweeps/uci.conf", "--out", out.toString(), "--quiet",
        "-D", "datasets=[boston]", "-D", "data.splits=[1]", "-D", "model.hidden=[5500,5000]",
        "-D", "dataset-catalog.boston.training.epochs=21", "-D", "dataset-catalog.boston.training.swag.start-epoch=1",
        "-D", "dataset-catalog.boston.training.batch-size=455",
        "-D", "inference.methods=[ess]", "-D", "inference.samples=2", "-D", "evaluation.draws=2",
        "-D", "orchestrator.metrics.port=0"));
    assertTrue(run.waitFor(20, TimeUnit.MINUTES), "finished in time");
    assertEquals(0, run.exitValue(), Files.readString(log));
    List<ResultRow> rows = TestRuns.results(out);
    assertEquals(1, rows.size());
    assertTrue(rows.get(0).ok() && Double.isFinite(rows.get(0).testLl()), rows.get(0).toString());
    ArtifactRef trained = TestRuns.outputOf(out, ArtifactKind.TRAINED);
    List<Long> deviations = trained.shapes().get("deviations");
    assertEquals(20L, deviations.get(0), "20 deviations kept (SWAG after epochs 2 to 21)");
    assertEquals(new MlpSpec(13, List.of(5500, 5000), Activation.RELU, Head.HETEROSCEDASTIC).parameterCount(),
        deviations.get(1), "of every weight");
    assertTrue(trained.bytes() > (1L << 31), trained.bytes() + " bytes");
    assertTrue(TestRuns.outputOf(out, ArtifactKind.SUBSPACE).bytes() > (1L << 31), "the rank-20 subspace too");
  }
}
