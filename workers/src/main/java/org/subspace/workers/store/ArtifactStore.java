package org.subspace.workers.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.subspace.protocol.Sha256;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.tensor.Npy;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.vocabulary.ArtifactKind;

/**
 * A content-addressed store on disk, the sweep's durable memory:
 * {@code objects/ab/<sha256>} holds artifact bytes (written atomically, verified against their
 * hash on every read), {@code stages/<key>.json} says a stage is done and what it produced,
 * {@code checkpoints/<key>.json} points at a running stage's last in-stage checkpoint.
 *
 * <p>Safe to share between threads: files are immutable once renamed into place, and a file
 * of a given name always has the same content.
 */
public final class ArtifactStore {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** Prometheus: subspace_artifact_stored_bytes_total. */
  private static final Counter STORED_BYTES = Metrics.counter("subspace.artifact.stored.bytes");

  private final Path root;

  public ArtifactStore(Path root) {
    this.root = root;
    try {
      Files.createDirectories(root.resolve("objects"));
      Files.createDirectories(root.resolve("stages"));
      Files.createDirectories(root.resolve("checkpoints"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the artifact store in " + root + ": " + e.getMessage(), e);
    }
  }

  public Path root() {
    return root;
  }

  /** Stores tensors as one {@code .npz} artifact. */
  public ArtifactRef putTensors(ArtifactKind kind, Map<String, Tensor> tensors) {
    Map<String, List<Long>> shapes = new LinkedHashMap<>();
    tensors.forEach((name, t) -> {
      List<Long> shape = new ArrayList<>();
      for (long d : t.shape()) {
        shape.add(d);
      }
      shapes.put(name, shape);
    });
    return put(kind, Npy.npzBytes(tensors), shapes);
  }

  public ArtifactRef put(ArtifactKind kind, byte[] bytes, Map<String, List<Long>> shapes) {
    ArtifactRef ref = new ArtifactRef(Sha256.hex(bytes), kind, bytes.length, shapes);
    Path file = objectPath(ref);
    if (!Files.exists(file)) {
      try {
        Files.createDirectories(file.getParent());
      } catch (IOException e) {
        throw DiskFullException.writeFailed(file.getParent(), e);
      }
      AtomicFiles.write(file, bytes);
      STORED_BYTES.increment(bytes.length);
    }
    return ref;
  }

  /** Stores bytes received from elsewhere, after checking that they are what {@code ref} names. */
  public void putVerified(ArtifactRef ref, byte[] bytes) {
    verify(ref, bytes, "received");
    put(ref.kind(), bytes, ref.shapes());
  }

  public boolean contains(ArtifactRef ref) {
    return Files.exists(objectPath(ref));
  }

  /** The artifact's bytes, verified; a corrupted file is deleted so that it gets recomputed. */
  public byte[] read(ArtifactRef ref) {
    Path file = objectPath(ref);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CorruptArtifactException(ref.shortName() + ": missing from the store (" + file + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      verify(ref, bytes, file.toString());
    } catch (CorruptArtifactException e) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // Reporting the corruption matters more than removing the file.
      }
      throw e;
    }
    return bytes;
  }

  public Map<String, Tensor> readTensors(ArtifactRef ref) {
    try {
      return Npy.readNpz(new ByteArrayInputStream(read(ref)));
    } catch (IOException e) {
      throw new CorruptArtifactException(ref.shortName() + ": not a valid .npz: " + e.getMessage());
    }
  }

  private static void verify(ArtifactRef ref, byte[] bytes, String where) {
    if (bytes.length != ref.bytes() || !Sha256.hex(bytes).equals(ref.sha256())) {
      throw new CorruptArtifactException(String.format("%s: %s has %d bytes hashing to %s, expected %d bytes, %s",
          ref.shortName(), where, bytes.length, Sha256.hex(bytes).substring(0, 12), ref.bytes(),
          ref.sha256().substring(0, 12)));
    }
  }

  public void writeManifest(StageManifest manifest) {
    writeJson(root.resolve("stages").resolve(manifest.key() + ".json"), manifest);
  }

  /**
   * The manifest of a done stage, if its outputs are all present and intact; a manifest whose
   * outputs are damaged is treated as absent, so the stage runs again.
   */
  public Optional<StageManifest> manifest(String key) {
    Optional<StageManifest> manifest = readJson(root.resolve("stages").resolve(key + ".json"), StageManifest.class);
    if (manifest.isEmpty()) {
      return manifest;
    }
    for (ArtifactRef output : manifest.get().outputs()) {
      try {
        read(output);
      } catch (CorruptArtifactException e) {
        return Optional.empty();
      }
    }
    return manifest;
  }

  public void writeCheckpoint(String key, ArtifactRef checkpoint) {
    writeJson(root.resolve("checkpoints").resolve(key + ".json"), checkpoint);
  }

  /** The last checkpoint of an unfinished stage, if it is present and intact. */
  public Optional<ArtifactRef> checkpoint(String key) {
    return readJson(root.resolve("checkpoints").resolve(key + ".json"), ArtifactRef.class).filter(ref -> {
      try {
        read(ref);
        return true;
      } catch (CorruptArtifactException e) {
        return false;
      }
    });
  }

  private Path objectPath(ArtifactRef ref) {
    return root.resolve("objects").resolve(ref.sha256().substring(0, 2)).resolve(ref.sha256());
  }

  private static void writeJson(Path file, Object value) {
    try {
      AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
    } catch (IOException e) {
      throw DiskFullException.writeFailed(file, e);
    }
  }

  private static <T> Optional<T> readJson(Path file, Class<T> type) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), type));
    } catch (IOException e) {
      // A damaged record is as good as none: the stage is recomputed.
      return Optional.empty();
    }
  }
}
