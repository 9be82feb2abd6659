package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.runtime.EventLog;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.workers.store.ArtifactStore;

/** Checkpoint retention during a sweep, and `gc` freeing exactly what nothing references. */
class StoreRetentionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private int run(StringWriter output, String... args) {
    return SubspaceCommand.execute(new PrintWriter(output, true), new PrintWriter(output, true), args);
  }

  private String[] toy(Path out) throws IOException {
    return new String[] {"run", "config/sweeps/toy-regression.conf", "--out", out.toString(), "--quiet",
        "-D", "training.epochs=300", "-D", "training.swag.start-epoch=200", "-D", "inference.samples=200",
        "-D", "orchestrator.checkpoint.train-epochs=20", "-D", "orchestrator.checkpoint.sample-iterations=25",
        "-D", "orchestrator.checkpoint.keep=2", "-D", "orchestrator.metrics.port=" + TestRuns.freePort()};
  }

  @Test
  void eachStageKeepsItsNewestCheckpointsAndGcFreesOnlyWhatNothingReferences() throws Exception {
    Path out = dir.resolve("sweep");
    StringWriter output = new StringWriter();
    assertEquals(0, run(output, toy(out)), output.toString());
    Path store = out.resolve("store");
    ArtifactStore artifacts = new ArtifactStore(store);

    // 300 epochs at one checkpoint every 20 and 200 iterations at one every 25: many written, 2 kept a stage.
    List<Path> histories;
    try (Stream<Path> files = Files.list(store.resolve("checkpoints"))) {
      histories = files.filter(p -> p.toString().endsWith(".history.json")).sorted().toList();
    }
    assertTrue(histories.size() >= 2, "the training and the chain checkpointed: " + histories);
    Set<String> kept = new HashSet<>();
    for (Path history : histories) {
      ArtifactRef[] refs = JSON.readValue(history.toFile(), ArtifactRef[].class);
      assertEquals(2, refs.length, history + " keeps exactly the newest 2");
      for (ArtifactRef ref : refs) {
        assertTrue(Files.exists(artifacts.objectFile(ref)), ref.shortName() + " is kept on disk");
        kept.add(ref.sha256());
      }
    }
    Set<String> outputs = manifestOutputs(store);
    assertEquals(union(outputs, kept), objectNames(store), "the store holds outputs and kept checkpoints, nothing else");

    // Garbage: an artifact nobody references, and a temporary a crashed write left behind.
    ArtifactRef junk = artifacts.putTensors(ArtifactKind.CHAIN, Map.of("z", Tensor.scalar(1.0)));
    Path stale = store.resolve("incoming").resolve("crashed.tmp");
    Files.write(stale, new byte[1000]);
    StringWriter gcOutput = new StringWriter();
    assertEquals(0, run(gcOutput, "gc", out.toString()), gcOutput.toString());
    assertTrue(Files.exists(artifacts.objectFile(junk)) && Files.exists(stale), "fresh files are left alone: " + gcOutput);
    Instant old = Instant.now().minusSeconds(3600);
    for (Path file : List.of(artifacts.objectFile(junk), stale)) {
      Files.setLastModifiedTime(file, FileTime.from(old));
    }
    gcOutput = new StringWriter();
    assertEquals(0, run(gcOutput, "gc", out.toString(), "--min-age", "PT10M"), gcOutput.toString());
    assertTrue(gcOutput.toString().contains("removed 1 unreferenced artifacts")
        && gcOutput.toString().contains("and 1 temporaries"), gcOutput.toString());
    assertFalse(Files.exists(artifacts.objectFile(junk)) || Files.exists(stale));
    assertEquals(union(outputs, kept), objectNames(store), "everything referenced stays");

    // The collected store still resumes: every stage comes from it, none runs again.
    output = new StringWriter();
    assertEquals(0, run(output, toy(out)), output.toString());
    long cached = EventLog.read(out.resolve("events.jsonl")).stream()
        .filter(e -> "stage-cached".equals(e.get("event"))).count();
    assertEquals(outputsStages(store), cached, "every stage was cached on the second run");
    TestRuns.assertEveryStageDoneOnce(out, (int) cached);
  }

  private static Set<String> objectNames(Path store) throws IOException {
    try (Stream<Path> files = Files.walk(store.resolve("objects"))) {
      return new HashSet<>(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList());
    }
  }

  private static Set<String> manifestOutputs(Path store) throws IOException {
    Set<String> names = new HashSet<>();
    try (Stream<Path> files = Files.list(store.resolve("stages"))) {
      for (Path manifest : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        JSON.readTree(manifest.toFile()).get("outputs").forEach(o -> names.add(o.get("sha256").asText()));
      }
    }
    return names;
  }

  private static long outputsStages(Path store) throws IOException {
    try (Stream<Path> files = Files.list(store.resolve("stages"))) {
      return files.filter(p -> p.toString().endsWith(".json")).count();
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }
}
