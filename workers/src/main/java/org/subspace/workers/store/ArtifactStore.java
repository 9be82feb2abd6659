package org.subspace.workers.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Stream;
import org.subspace.protocol.Sha256;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.tensor.Npy;
import org.subspace.protocol.tensor.NpyData;
import org.subspace.protocol.tensor.NpzFile;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.tensor.ValueBuffer;
import org.subspace.protocol.vocabulary.ArtifactKind;

/**
 * A content-addressed store on disk, the sweep's durable memory:
 * {@code objects/ab/<sha256>} holds artifact bytes, {@code stages/<key>.json} says a stage is
 * done and what it produced, {@code checkpoints/<key>.json} points at a running stage's last
 * in-stage checkpoint.
 *
 * <p>Artifacts of any size stream through bounded buffers: a writer hashes the bytes as they go
 * to a temporary file in {@code incoming/} and renames it into place once whole; a read
 * re-hashes the file before anything uses it. No artifact is ever held whole on the heap.
 *
 * <p>Safe to share between threads: files are immutable once renamed into place, and a file
 * of a given name always has the same content.
 */
public final class ArtifactStore {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  /**
   * Objects at least this large are hashed once per process while their size and modification
   * time stay the same; re-hashing gigabytes on every read would cost seconds each time.
   */
  private static final long VERIFY_ONCE_BYTES = 64L << 20;
  /** A writer starts the disk on its file every so many bytes, on {@link #FORCE_BEHIND}'s threads. */
  private static final long FORCE_BEHIND_BYTES = 32L << 20;
  private static final Executor FORCE_BEHIND = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "artifact-force-behind");
    thread.setDaemon(true);
    return thread;
  });

  /** Prometheus: subspace_artifact_stored_bytes_total. */
  private static final Counter STORED_BYTES = Metrics.counter("subspace.artifact.stored.bytes");

  private record FileStamp(long size, FileTime modified) {
    static FileStamp of(Path file) throws IOException {
      return new FileStamp(Files.size(file), Files.getLastModifiedTime(file));
    }
  }

  private static final String HISTORY = ".history.json";

  private final Path root;
  private final Map<String, FileStamp> verified = new ConcurrentHashMap<>();

  public ArtifactStore(Path root) {
    this.root = root;
    try {
      Files.createDirectories(root.resolve("objects"));
      Files.createDirectories(root.resolve("stages"));
      Files.createDirectories(root.resolve("checkpoints"));
      Files.createDirectories(incoming());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the artifact store in " + root + ": " + e.getMessage(), e);
    }
  }

  public Path root() {
    return root;
  }

  /** Where artifacts are written before they are whole; what is left there after a crash is garbage. */
  Path incoming() {
    return root.resolve("incoming");
  }

  /** Stores tensors as one {@code .npz} artifact, streamed to disk member by member. */
  public ArtifactRef putTensors(ArtifactKind kind, Map<String, ? extends NpyData> tensors) {
    Map<String, List<Long>> shapes = new LinkedHashMap<>();
    tensors.forEach((name, t) -> {
      List<Long> shape = new ArrayList<>();
      for (long d : t.shape()) {
        shape.add(d);
      }
      shapes.put(name, shape);
    });
    try (Writer writer = new Writer(null)) {
      try {
        Npy.writeNpz(writer.stream(), tensors);
      } catch (IOException e) {
        throw StorageFailureException.writeFailed(writer.temporary, e);
      }
      return writer.commit(kind, shapes);
    }
  }

  /** A writer for bytes received from elsewhere: its commit checks they are exactly what {@code ref} names. */
  public Writer receive(ArtifactRef ref) {
    return new Writer(ref);
  }

  public boolean contains(ArtifactRef ref) {
    return Files.exists(objectFile(ref));
  }

  /**
   * Checks the artifact's bytes against its name and size; a file whose content does not match
   * its name is deleted, so that it gets recomputed or fetched again.
   */
  public void verify(ArtifactRef ref) {
    Path file = objectFile(ref);
    FileStamp stamp;
    String sha256;
    try {
      stamp = FileStamp.of(file);
      if (hashedSinceChanged(ref, stamp)) {
        return;
      }
      sha256 = Sha256.hex(file);
    } catch (NoSuchFileException e) {
      throw new CorruptArtifactException(ref.shortName() + ": missing from the store (" + file + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (stamp.size() != ref.bytes() || !sha256.equals(ref.sha256())) {
      // Only a file whose content does not match its own name is damaged; a reference that
      // merely claims another size says nothing about the file.
      if (!sha256.equals(ref.sha256())) {
        deleteQuietly(file);
      }
      throw new CorruptArtifactException(String.format("%s: %s has %d bytes hashing to %s, expected %d bytes, %s",
          ref.shortName(), file, stamp.size(), sha256.substring(0, 12), ref.bytes(), ref.sha256().substring(0, 12)));
    }
    if (stamp.size() >= VERIFY_ONCE_BYTES) {
      verified.put(ref.sha256(), stamp);
    }
  }

  /**
   * Whether this process hashed the artifact's file (verifying or writing it) since it last
   * changed, so its bytes are known good without hashing them again. Only large objects are
   * remembered; for the others this says false.
   */
  public boolean verifiedBefore(ArtifactRef ref) {
    try {
      return hashedSinceChanged(ref, FileStamp.of(objectFile(ref)));
    } catch (IOException e) {
      return false;
    }
  }

  private boolean hashedSinceChanged(ArtifactRef ref, FileStamp stamp) {
    return stamp.size() == ref.bytes() && stamp.equals(verified.get(ref.sha256()));
  }

  /** The artifact's file, verified: for streaming it elsewhere. */
  public Path verifiedFile(ArtifactRef ref) {
    verify(ref);
    return objectFile(ref);
  }

  /** Opens a verified artifact for reading tensor by tensor; the caller closes it. */
  public NpzFile open(ArtifactRef ref) {
    Path file = verifiedFile(ref);
    try {
      return NpzFile.open(file);
    } catch (IOException e) {
      throw new CorruptArtifactException(ref.shortName() + ": not a valid .npz: " + e.getMessage());
    }
  }

  /** Decodes a verified artifact, reading only the tensors {@code decoder} asks for. */
  public <T> T read(ArtifactRef ref, Function<NpzFile, T> decoder) {
    try (NpzFile npz = open(ref)) {
      return decoder.apply(npz);
    } catch (UncheckedIOException e) {
      throw new CorruptArtifactException(ref.shortName() + ": " + e.getMessage());
    }
  }

  /** Every tensor of a small artifact. */
  public Map<String, Tensor> readTensors(ArtifactRef ref) {
    return read(ref, NpzFile::all);
  }

  /** Copies a verified artifact to {@code target} (whole or not at all), e.g. to export it as an {@code .npz}. */
  public void copyTo(ArtifactRef ref, Path target) {
    Path source = verifiedFile(ref);
    Path temporary = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.copy(source, temporary);
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      deleteQuietly(temporary);
      throw StorageFailureException.writeFailed(target, e);
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
      if (!intact(output)) {
        return Optional.empty();
      }
    }
    return manifest;
  }

  /**
   * Points the stage at its newest checkpoint and keeps only the newest {@code keep} of its
   * checkpoints ({@code checkpoints/<key>.history.json} lists them): older ones are deleted.
   */
  public void writeCheckpoint(String key, ArtifactRef checkpoint, int keep) {
    List<ArtifactRef> history = new ArrayList<>(checkpointHistory(key));
    history.remove(checkpoint);
    history.add(checkpoint);
    List<ArtifactRef> dropped = new ArrayList<>(history.subList(0, Math.max(0, history.size() - keep)));
    history.removeAll(dropped);
    writeJson(root.resolve("checkpoints").resolve(key + ".json"), checkpoint);
    writeJson(root.resolve("checkpoints").resolve(key + HISTORY), history);
    dropped.forEach(this::delete);
  }

  /** The checkpoints kept for a stage, oldest first. */
  List<ArtifactRef> checkpointHistory(String key) {
    Path file = root.resolve("checkpoints").resolve(key + HISTORY);
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      return List.of(JSON.readValue(file.toFile(), ArtifactRef[].class));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Deletes an artifact's file: for checkpoints that are no longer kept, never for outputs. */
  public void delete(ArtifactRef ref) {
    verified.remove(ref.sha256());
    deleteQuietly(objectFile(ref));
  }

  /** The last checkpoint of an unfinished stage, if it is present and intact. */
  public Optional<ArtifactRef> checkpoint(String key) {
    return readJson(root.resolve("checkpoints").resolve(key + ".json"), ArtifactRef.class).filter(this::intact);
  }

  /** How much the store holds: its artifact files and their bytes. */
  public record Usage(long objects, long bytes) {}

  /** What {@link #collectGarbage} removed, and what it kept. */
  public record Collected(long objects, long objectBytes, long temporaries, long temporaryBytes, Usage kept) {}

  public Usage usage() {
    return usage(root);
  }

  /** What the store at {@code root} holds, read without opening it (opening creates its folders). */
  public static Usage usage(Path root) {
    long[] totals = new long[2];
    forEachFile(root.resolve("objects"), (file, size) -> {
      if (!isTemporary(file)) {
        totals[0]++;
        totals[1] += size;
      }
    });
    return new Usage(totals[0], totals[1]);
  }

  /**
   * Removes the artifacts that no manifest, checkpoint pointer or kept checkpoint references,
   * and temporaries left by crashed writes. Only files untouched for {@code minAge} go, so that a
   * sweep running on this store meanwhile loses nothing it is writing. A worker's store has no
   * manifests: there everything old goes, which only empties a cache.
   */
  public Collected collectGarbage(Duration minAge) {
    Set<String> referenced = new HashSet<>();
    forEachFile(root.resolve("stages"), (file, size) -> readJson(file, StageManifest.class)
        .ifPresent(m -> m.outputs().forEach(ref -> referenced.add(ref.sha256()))));
    forEachFile(root.resolve("checkpoints"), (file, size) -> {
      String name = file.getFileName().toString();
      if (name.endsWith(HISTORY)) {
        checkpointHistory(name.substring(0, name.length() - HISTORY.length()))
            .forEach(ref -> referenced.add(ref.sha256()));
      } else if (name.endsWith(".json")) {
        readJson(file, ArtifactRef.class).ifPresent(ref -> referenced.add(ref.sha256()));
      }
    });
    FileTime cutoff = FileTime.from(Instant.now().minus(minAge));
    long[] removed = new long[4];
    for (Path folder : List.of(root.resolve("objects"), root.resolve("stages"), root.resolve("checkpoints"),
        incoming())) {
      forEachFile(folder, (file, size) -> {
        boolean temporary = isTemporary(file);
        if ((temporary || folder.endsWith("objects") && !referenced.contains(file.getFileName().toString()))
            && modified(file).compareTo(cutoff) < 0 && deleted(file)) {
          removed[temporary ? 2 : 0]++;
          removed[temporary ? 3 : 1] += size;
        }
      });
    }
    verified.clear();
    return new Collected(removed[0], removed[1], removed[2], removed[3], usage());
  }

  private static boolean isTemporary(Path file) {
    return file.getFileName().toString().endsWith(".tmp");
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return FileTime.from(Instant.MAX);
    }
  }

  private static boolean deleted(Path file) {
    try {
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      return false;
    }
  }

  /** Calls {@code each} with every regular file under {@code folder} and its size. */
  private static void forEachFile(Path folder, java.util.function.BiConsumer<Path, Long> each) {
    if (!Files.isDirectory(folder)) {
      return;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        long size;
        try {
          size = Files.size(file);
        } catch (IOException gone) {
          continue;
        }
        each.accept(file, size);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
    }
  }

  private boolean intact(ArtifactRef ref) {
    try {
      verify(ref);
      return true;
    } catch (CorruptArtifactException e) {
      return false;
    }
  }

  /** Where the artifact's bytes are (or would be); unverified: {@link #verifiedFile} checks them. */
  public Path objectFile(ArtifactRef ref) {
    return objectPath(ref.sha256());
  }

  Path objectPath(String sha256) {
    return root.resolve("objects").resolve(sha256.substring(0, 2)).resolve(sha256);
  }

  private static void writeJson(Path file, Object value) {
    try {
      AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
    } catch (IOException e) {
      throw StorageFailureException.writeFailed(file, e);
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

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // Only a temporary: gc removes what is left.
    }
  }

  /**
   * An artifact being written: bytes go through a sha256 digest to a temporary file in
   * {@code incoming/}; {@link #commit} renames it into {@code objects/} under its hash, and
   * closing without a commit deletes it.
   */
  public final class Writer implements AutoCloseable {
    private final ArtifactRef expected;
    private final Path temporary;
    private final FileChannel channel;
    private final MessageDigest digest = Sha256.digest();
    private final OutputStream out;
    private long unforced;
    private CompletableFuture<Void> forcing;
    private boolean done;

    private Writer(ArtifactRef expected) {
      this.expected = expected;
      this.temporary = incoming().resolve(UUID.randomUUID() + ".tmp");
      try {
        this.channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw StorageFailureException.writeFailed(temporary, e);
      }
      OutputStream file = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
          writeToFile(ByteBuffer.wrap(bytes, offset, length));
        }
      };
      this.out = new BufferedOutputStream(new DigestOutputStream(file, digest), ValueBuffer.BYTES);
    }

    public OutputStream stream() {
      return out;
    }

    /** Appends {@code bytes} straight to the file, past the stream's buffer: received bytes need no second copy. */
    public void write(ByteBuffer bytes) {
      try {
        out.flush();
        digest.update(bytes.duplicate());
        writeToFile(bytes);
      } catch (IOException e) {
        throw StorageFailureException.writeFailed(temporary, e);
      }
    }

    private void writeToFile(ByteBuffer bytes) throws IOException {
      int length = bytes.remaining();
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      // Start the disk on what is written so far, behind the writer: otherwise a gigabyte waits
      // in the page cache until the commit, and the commit's fsync waits for all of it.
      unforced += length;
      if (unforced >= FORCE_BEHIND_BYTES && (forcing == null || forcing.isDone())) {
        unforced = 0;
        forcing = CompletableFuture.runAsync(this::forceQuietly, FORCE_BEHIND);
      }
    }

    private void forceQuietly() {
      try {
        channel.force(false);
      } catch (IOException e) {
        // The commit forces again and reports what fails then.
      }
    }

    /** The received artifact, in place once its bytes proved to be what was expected. */
    public ArtifactRef commit() {
      return commit(expected.kind(), expected.shapes());
    }

    ArtifactRef commit(ArtifactKind kind, Map<String, List<Long>> shapes) {
      long size;
      try {
        out.flush();
        if (forcing != null) {
          forcing.join();
        }
        channel.force(true);
        size = channel.size();
        channel.close();
      } catch (IOException e) {
        throw StorageFailureException.writeFailed(temporary, e);
      }
      ArtifactRef ref = new ArtifactRef(Sha256.hex(digest), kind, size, shapes);
      if (expected != null && (size != expected.bytes() || !ref.sha256().equals(expected.sha256()))) {
        throw new CorruptArtifactException(String.format("%s: received %d bytes hashing to %s, expected %d bytes",
            expected.shortName(), size, ref.sha256().substring(0, 12), expected.bytes()));
      }
      if (expected != null) {
        requireShapes(temporary, expected);
      }
      Path file = objectFile(ref);
      try {
        if (Files.exists(file)) {
          deleteQuietly(temporary);
        } else {
          Files.createDirectories(file.getParent());
          Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
          AtomicFiles.syncFolder(file.getParent());
          STORED_BYTES.increment(size);
          if (size >= VERIFY_ONCE_BYTES) {
            // Hashed on the way in: as good as verified.
            verified.put(ref.sha256(), FileStamp.of(file));
          }
        }
      } catch (IOException e) {
        throw StorageFailureException.writeFailed(file, e);
      }
      done = true;
      return ref;
    }

    /**
     * The hash says the bytes are the ones named, not that the sender described them truly: the
     * tensors received must be the ones, of the shapes, that its reference claims.
     */
    private static void requireShapes(Path received, ArtifactRef claimed) {
      Map<String, List<Long>> actual = new LinkedHashMap<>();
      try (NpzFile npz = NpzFile.open(received)) {
        for (String name : npz.names()) {
          actual.put(name, Arrays.stream(npz.shape(name)).boxed().toList());
        }
      } catch (IOException | UncheckedIOException e) {
        throw new CorruptArtifactException(claimed.shortName() + ": received bytes are not a valid .npz: "
            + e.getMessage());
      }
      if (!actual.equals(claimed.shapes())) {
        throw new CorruptArtifactException(claimed.shortName() + ": its reference claims tensors " + claimed.shapes()
            + ", the bytes hold " + actual);
      }
    }

    @Override
    public void close() {
      if (!done) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // Deleting the temporary below is what matters.
        }
        deleteQuietly(temporary);
      }
    }
  }
}
