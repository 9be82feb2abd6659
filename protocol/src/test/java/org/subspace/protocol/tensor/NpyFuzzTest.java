package org.subspace.protocol.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Hostile bytes into every decoder of tensors: random arrays, and valid files with bytes
 * flipped, cut off or spliced in. Each must be read, or refused with an {@link IOException}
 * (or its unchecked form) that says why; never an OutOfMemoryError, a hang, a runaway
 * allocation or any other failure. A decoder that refuses is the point; one that accepts
 * mutated bytes must return what a header it validated describes.
 */
class NpyFuzzTest {
  private static final byte[] VALID = Npy.npzBytes(valid());
  private static final AtomicLong TRIED = new AtomicLong();
  private static final AtomicLong REFUSED = new AtomicLong();

  private static Map<String, Tensor> valid() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("weights", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    tensors.put("losses", Tensor.of(new double[] {0.5, 0.25}, 2));
    tensors.put("epochs", Tensor.scalar(7L));
    return tensors;
  }

  /** A valid archive with up to 8 bytes overwritten, a tail cut off, or random bytes spliced in. */
  @Provide
  Arbitrary<byte[]> mutatedArchives() {
    Arbitrary<byte[]> flipped = Arbitraries.integers().between(0, VALID.length - 1).list().ofMinSize(1).ofMaxSize(8)
        .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
          byte[] bytes = VALID.clone();
          for (int i = 0; i < positions.size(); i++) {
            bytes[positions.get(i)] = values.get(i);
          }
          return bytes;
        }));
    Arbitrary<byte[]> truncated = Arbitraries.integers().between(0, VALID.length - 1)
        .map(length -> java.util.Arrays.copyOf(VALID, length));
    Arbitrary<byte[]> spliced = Combinators.combine(Arbitraries.integers().between(0, VALID.length),
        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64)).as((at, inserted) -> {
          byte[] bytes = new byte[VALID.length + inserted.length];
          System.arraycopy(VALID, 0, bytes, 0, at);
          System.arraycopy(inserted, 0, bytes, at, inserted.length);
          System.arraycopy(VALID, at, bytes, at + inserted.length, VALID.length - at);
          return bytes;
        });
    return Arbitraries.oneOf(flipped, truncated, spliced);
  }

  @Provide
  Arbitrary<byte[]> randomBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(2048);
  }

  @Property(tries = 1500, seed = "4217")
  void aMutatedArchiveIsReadOrRefusedByTheStreamingReader(@ForAll("mutatedArchives") byte[] bytes) {
    decodeStreaming(bytes);
  }

  @Property(tries = 1500, seed = "4217")
  void aMutatedArchiveIsReadOrRefusedByTheRandomAccessReader(@ForAll("mutatedArchives") byte[] bytes)
      throws IOException {
    decodeFile(bytes);
  }

  @Property(tries = 1000, seed = "4217")
  void randomBytesAreRefusedByEveryReader(@ForAll("randomBytes") byte[] bytes) throws IOException {
    decodeStreaming(bytes);
    decodeFile(bytes);
    tried(() -> Npy.fromBytes(bytes));
  }

  @Property(tries = 1000, seed = "4217")
  void aMutatedNpyIsReadOrRefused(@ForAll("mutatedNpy") byte[] bytes) {
    tried(() -> Npy.fromBytes(bytes));
  }

  @Provide
  Arbitrary<byte[]> mutatedNpy() {
    byte[] npy = Npy.toBytes(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    return Arbitraries.integers().between(0, npy.length - 1).list().ofMinSize(1).ofMaxSize(4)
        .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
          byte[] bytes = npy.clone();
          for (int i = 0; i < positions.size(); i++) {
            bytes[positions.get(i)] = values.get(i);
          }
          return bytes;
        }));
  }

  private static void decodeStreaming(byte[] bytes) {
    tried(() -> Npy.readNpz(new ByteArrayInputStream(bytes)));
  }

  private static void decodeFile(byte[] bytes) throws IOException {
    Path file = Files.createTempFile("fuzz", ".npz");
    try {
      Files.write(file, bytes);
      tried(() -> {
        try (NpzFile npz = NpzFile.open(file)) {
          for (String name : List.copyOf(npz.names())) {
            Tensor tensor = npz.tensor(name);
            assertEquals(Tensor.elements(npz.shape(name)), tensor.size(), "values as the validated header says");
          }
        }
        return null;
      });
    } finally {
      Files.delete(file);
    }
  }

  /** Runs a decoder: a clear refusal counts, anything else fails the property. */
  private static void tried(DecoderCall call) {
    TRIED.incrementAndGet();
    try {
      call.run();
    } catch (IOException | UncheckedIOException e) {
      REFUSED.incrementAndGet();
    }
  }

  @FunctionalInterface
  private interface DecoderCall {
    Object run() throws IOException;
  }

  @AfterContainer
  static void report() {
    System.out.printf("npy/npz fuzzing: %d decodes, %d refused with a clear IOException, the rest read%n",
        TRIED.get(), REFUSED.get());
  }
}
