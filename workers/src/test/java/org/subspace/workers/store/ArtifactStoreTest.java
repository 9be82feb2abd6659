package org.subspace.workers.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.protocol.Sha256;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.vocabulary.ArtifactKind;

class ArtifactStoreTest {
  @TempDir Path dir;

  private static Map<String, Tensor> tensors() {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("mean", Tensor.of(new float[] {1f, 2f, 3f}, 3));
    t.put("projection", Tensor.of(new float[] {1f, 0f, 0f, 0f, 1f, 0f}, 2, 3));
    return t;
  }

  private Path objectFile(ArtifactRef ref) throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve("objects"))) {
      return files.filter(p -> p.getFileName().toString().equals(ref.sha256())).findFirst().orElseThrow();
    }
  }

  @Test
  void storesByContentAndReadsBackVerified() {
    ArtifactStore store = new ArtifactStore(dir);
    ArtifactRef ref = store.putTensors(ArtifactKind.SUBSPACE, tensors());
    assertEquals(ref, store.putTensors(ArtifactKind.SUBSPACE, tensors()), "same content, same name");
    assertEquals(List.of(2L, 3L), ref.shapes().get("projection"));
    assertEquals(tensors(), store.readTensors(ref));
    assertEquals(Sha256.hex(store.read(ref)), ref.sha256());
  }

  @Test
  void aFlippedByteIsDetectedAndTheFileRemoved() throws IOException {
    ArtifactStore store = new ArtifactStore(dir);
    ArtifactRef ref = store.putTensors(ArtifactKind.SUBSPACE, tensors());
    Path file = objectFile(ref);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 5] ^= 0x01;
    Files.write(file, bytes);
    CorruptArtifactException e = assertThrows(CorruptArtifactException.class, () -> store.read(ref));
    assertTrue(e.getMessage().contains(ref.shortName()), e.getMessage());
    assertFalse(Files.exists(file), "the corrupted file is gone, so it gets recomputed");
  }

  @Test
  void truncatedOrDeletedArtifactsMakeTheirStageUndone() throws IOException {
    ArtifactStore store = new ArtifactStore(dir);
    ArtifactRef ref = store.putTensors(ArtifactKind.TRAINED, tensors());
    store.writeManifest(new StageManifest("stage-a", StageKind.TRAIN, List.of(ref), Map.of("final_loss", 1.0), 2.0, 1));
    assertTrue(store.manifest("stage-a").isPresent());
    Path file = objectFile(ref);
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 10));
    assertTrue(store.manifest("stage-a").isEmpty(), "truncated output: the stage must run again");
    store.putTensors(ArtifactKind.TRAINED, tensors());
    assertTrue(store.manifest("stage-a").isPresent());
    Files.delete(objectFile(ref));
    assertTrue(store.manifest("stage-a").isEmpty(), "deleted output: the stage must run again");
  }

  @Test
  void checkpointPointersFollowTheNewestCheckpoint() {
    ArtifactStore store = new ArtifactStore(dir);
    assertTrue(store.checkpoint("stage-b").isEmpty());
    ArtifactRef first = store.putTensors(ArtifactKind.CHAIN_CHECKPOINT, Map.of("z", Tensor.of(new double[] {1}, 1)));
    ArtifactRef second = store.putTensors(ArtifactKind.CHAIN_CHECKPOINT, Map.of("z", Tensor.of(new double[] {2}, 1)));
    store.writeCheckpoint("stage-b", first);
    store.writeCheckpoint("stage-b", second);
    assertEquals(second, store.checkpoint("stage-b").orElseThrow());
  }
}
