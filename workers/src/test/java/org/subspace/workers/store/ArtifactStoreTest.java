package org.subspace.workers.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
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
import org.subspace.protocol.tensor.FloatRows;
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
  void storesByContentAndReadsBackVerified() throws IOException {
    ArtifactStore store = new ArtifactStore(dir);
    ArtifactRef ref = store.putTensors(ArtifactKind.SUBSPACE, tensors());
    assertEquals(ref, store.putTensors(ArtifactKind.SUBSPACE, tensors()), "same content, same name");
    assertEquals(List.of(2L, 3L), ref.shapes().get("projection"));
    assertEquals(tensors(), store.readTensors(ref));
    assertEquals(ref.sha256(), Sha256.hex(store.verifiedFile(ref)));
  }

  @Test
  void aFlippedByteIsDetectedAndTheFileRemoved() throws IOException {
    ArtifactStore store = new ArtifactStore(dir);
    ArtifactRef ref = store.putTensors(ArtifactKind.SUBSPACE, tensors());
    Path file = objectFile(ref);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 5] ^= 0x01;
    Files.write(file, bytes);
    CorruptArtifactException e = assertThrows(CorruptArtifactException.class, () -> store.verify(ref));
    assertTrue(e.getMessage().contains(ref.shortName()), e.getMessage());
    assertFalse(Files.exists(file), "the corrupted file is gone, so it gets recomputed");
  }

  @Test
  void aReferenceThatNamesAWrongSizeDoesNotDeleteAGoodFile() {
    ArtifactStore store = new ArtifactStore(dir);
    ArtifactRef ref = store.putTensors(ArtifactKind.SUBSPACE, tensors());
    ArtifactRef lying = new ArtifactRef(ref.sha256(), ref.kind(), ref.bytes() + 1, ref.shapes());
    assertThrows(CorruptArtifactException.class, () -> store.verify(lying));
    assertTrue(store.contains(ref), "the file matches its name, so it stays");
    assertEquals(tensors(), store.readTensors(ref));
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
  void checkpointPointersFollowTheNewestCheckpointAndKeepOnlyTheNewest() {
    ArtifactStore store = new ArtifactStore(dir);
    assertTrue(store.checkpoint("stage-b").isEmpty());
    List<ArtifactRef> written = new java.util.ArrayList<>();
    for (int k = 0; k < 5; k++) {
      ArtifactRef ref = store.putTensors(ArtifactKind.CHAIN_CHECKPOINT, Map.of("z", Tensor.of(new double[] {k}, 1)));
      store.writeCheckpoint("stage-b", ref, 2);
      written.add(ref);
      assertEquals(ref, store.checkpoint("stage-b").orElseThrow());
    }
    assertEquals(written.subList(3, 5), store.checkpointHistory("stage-b"));
    for (int k = 0; k < 5; k++) {
      assertEquals(k >= 3, store.contains(written.get(k)), "checkpoint " + k + " kept only if among the newest 2");
    }
  }

  @Test
  void aMatrixHeldAsRowsStreamsToDiskAndReadsBackByRowsOrByName() throws IOException {
    ArtifactStore store = new ArtifactStore(dir);
    int columns = 1 << 20;
    List<float[]> rows = new java.util.ArrayList<>();
    for (int r = 0; r < 80; r++) {
      float[] row = new float[columns];
      Arrays.fill(row, r + 0.5f);
      row[r] = -r;
      rows.add(row);
    }
    Map<String, org.subspace.protocol.tensor.NpyData> members = new LinkedHashMap<>();
    members.put("deviations", new FloatRows(rows, columns));
    members.put("count", Tensor.scalar(80L));
    ArtifactRef ref = store.putTensors(ArtifactKind.TRAINED, members);
    assertTrue(ref.bytes() > 80L * columns * 4, "a 320 MiB artifact: " + ref.bytes());
    assertEquals(List.of(80L, (long) columns), ref.shapes().get("deviations"));
    assertEquals(ref.sha256(), Sha256.hex(store.verifiedFile(ref)), "the name is the hash of the bytes on disk");
    assertEquals(80L, store.read(ref, npz -> npz.tensor("count")).longValue(), "one member, without the rest");
    float[][] back = store.read(ref, npz -> npz.floatRows("deviations"));
    for (int r = 0; r < 80; r++) {
      assertArrayEquals(rows.get(r), back[r], "row " + r);
    }
    assertEmptyIncoming();
  }

  @Test
  void receivedBytesCountOnlyWhenTheyAreWhatTheNameSays() throws IOException {
    ArtifactStore source = new ArtifactStore(dir.resolve("source"));
    ArtifactStore target = new ArtifactStore(dir.resolve("target"));
    ArtifactRef ref = source.putTensors(ArtifactKind.SUBSPACE, tensors());
    byte[] bytes = Files.readAllBytes(source.verifiedFile(ref));
    try (ArtifactStore.Writer writer = target.receive(ref)) {
      bytes[bytes.length / 2] ^= 0x10;
      writer.write(ByteBuffer.wrap(bytes));
      CorruptArtifactException e = assertThrows(CorruptArtifactException.class, writer::commit);
      assertTrue(e.getMessage().contains(ref.shortName()), e.getMessage());
    }
    assertFalse(target.contains(ref));
    try (ArtifactStore.Writer writer = target.receive(ref)) {
      bytes[bytes.length / 2] ^= 0x10;
      // Some through the buffered stream, the rest straight to the file: in order, and all hashed.
      int half = bytes.length / 3;
      writer.stream().write(bytes, 0, half);
      writer.write(ByteBuffer.wrap(bytes, half, bytes.length - half));
      assertEquals(ref, writer.commit());
    }
    assertEquals(tensors(), target.readTensors(ref));
    // The right bytes under a reference that misdescribes them: refused, though the hash matches.
    ArtifactStore other = new ArtifactStore(dir.resolve("other"));
    ArtifactRef lying = new ArtifactRef(ref.sha256(), ref.kind(), ref.bytes(), Map.of("weights", List.of(3L)));
    try (ArtifactStore.Writer writer = other.receive(lying)) {
      writer.write(ByteBuffer.wrap(bytes));
      CorruptArtifactException e = assertThrows(CorruptArtifactException.class, writer::commit);
      assertTrue(e.getMessage().contains("its reference claims tensors {weights=[3]}, the bytes hold"), e.getMessage());
    }
    assertFalse(other.contains(ref));
    try (ArtifactStore.Writer abandoned = target.receive(ref)) {
      abandoned.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    }
    assertEmptyIncoming(dir.resolve("target"));
  }

  private void assertEmptyIncoming() throws IOException {
    assertEmptyIncoming(dir);
  }

  private static void assertEmptyIncoming(Path root) throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("incoming"))) {
      assertEquals(List.of(), files.toList(), "no temporary is left behind");
    }
  }
}
