package org.subspace.workers.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.protocol.BadInputException;
import org.subspace.workers.random.Rng;
import org.subspace.workers.vision.Augmentation;

class ImageLoadersTest {
  private static final Path MNIST = Path.of("../shared/data/mnist");
  private static final Path DIGITS = Path.of("../shared/data/digits");

  @TempDir Path dir;

  @Test
  void readsTheGzippedMnistTestSet() {
    ImageData mnist = ImageLoaders.idx(MNIST.resolve("t10k-images-idx3-ubyte.gz"),
        MNIST.resolve("t10k-labels-idx1-ubyte.gz"));
    assertEquals(10_000, mnist.count());
    assertEquals(28, mnist.height());
    assertEquals(28, mnist.width());
    assertEquals(7, mnist.labels()[0], "the first test image is a 7");
    assertEquals(2, mnist.labels()[1]);
    int[] perClass = new int[10];
    for (int label : mnist.labels()) {
      perClass[label]++;
    }
    assertEquals(980, perClass[0], "MNIST's test set has 980 zeros");
    float max = 0;
    for (float p : mnist.pixels()) {
      assertTrue(p >= 0 && p <= 1);
      max = Math.max(max, p);
    }
    assertEquals(1f, max);
  }

  @Test
  void idxErrorsNameTheFile() throws IOException {
    Path images = dir.resolve("images.idx");
    Path labels = dir.resolve("labels.idx");
    Files.write(images, new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3});
    Files.write(labels, new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 1, 1});
    BadInputException truncated = assertThrows(BadInputException.class, () -> ImageLoaders.idx(images, labels));
    assertTrue(truncated.getMessage().startsWith(images + ": truncated"), truncated.getMessage());
    Files.write(images, new byte[] {0, 0, 8, 2, 0, 0, 0, 1});
    BadInputException magic = assertThrows(BadInputException.class, () -> ImageLoaders.idx(images, labels));
    assertTrue(magic.getMessage().contains("magic number 0x00000802"), magic.getMessage());
    Files.write(images, new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4});
    BadInputException count = assertThrows(BadInputException.class, () -> ImageLoaders.idx(images, labels));
    assertTrue(count.getMessage().startsWith(labels + ": 2 labels for the 1 images"), count.getMessage());
    assertThrows(BadInputException.class, () -> ImageLoaders.idx(dir.resolve("none"), labels));
  }

  @Test
  void readsOptdigitsAndRejectsBadCells() throws IOException {
    ImageData train = ImageLoaders.optdigits(DIGITS.resolve("optdigits.tra"));
    ImageData test = ImageLoaders.optdigits(DIGITS.resolve("optdigits.tes"));
    assertEquals(3823, train.count());
    assertEquals(1797, test.count());
    assertEquals(64, train.imageSize());
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "0,".repeat(64) + "3\n" + "0,".repeat(63) + "17,3\n");
    BadInputException e = assertThrows(BadInputException.class, () -> ImageLoaders.optdigits(bad));
    assertEquals(bad + ":2: column 64: 17 is not in 0..16", e.getMessage());
  }

  /** Two CIFAR-10 records written here in the binary batch layout: label byte, then R, G, B planes. */
  @Test
  void readsCifarBinaryBatches() throws IOException {
    byte[] bytes = new byte[2 * 3073];
    bytes[0] = 3;
    bytes[1] = (byte) 255;
    bytes[1 + 1024] = (byte) 128;
    bytes[3073] = 9;
    bytes[3073 + 1 + 2 * 1024 + 33] = 51;
    Path batch = dir.resolve("data_batch_1.bin");
    Files.write(batch, bytes);
    ImageData cifar = ImageLoaders.cifar(List.of(batch, batch), 10);
    assertEquals(4, cifar.count());
    assertArrayEquals(new int[] {3, 9, 3, 9}, cifar.labels());
    assertEquals(1f, cifar.pixels()[0], "red (0, 0) of image 0");
    assertEquals(128 / 255f, cifar.pixels()[1024], "green (0, 0) of image 0");
    assertEquals(51 / 255f, cifar.pixels()[3072 + 2 * 1024 + 33], "blue (1, 1) of image 1");
    Files.write(batch, Arrays.copyOf(bytes, 3000));
    BadInputException e = assertThrows(BadInputException.class, () -> ImageLoaders.cifar(List.of(batch), 10));
    assertTrue(e.getMessage().startsWith(batch + ": 3000 bytes is not a whole number of 3073-byte"), e.getMessage());
  }

  @Test
  void augmentationShiftsAndFlipsWithinThePaddedImage() {
    float[] pixels = new float[16];
    for (int i = 0; i < 16; i++) {
      pixels[i] = i + 1;
    }
    ImageData image = new ImageData(pixels, new int[] {0}, 1, 4, 4, 10);
    int changed = 0;
    Rng rng = new Rng(1);
    for (int trial = 0; trial < 50; trial++) {
      float[] out = Augmentation.cropAndFlip(image, 1, rng).pixels();
      // Every pixel is zero padding or one of the image's, and a row keeps consecutive values.
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x + 1 < 4; x++) {
          float a = out[y * 4 + x];
          float b = out[y * 4 + x + 1];
          assertTrue(a == 0 || b == 0 || Math.abs(a - b) == 1, "neighbours stay neighbours");
        }
      }
      changed += Arrays.equals(out, pixels) ? 0 : 1;
    }
    assertTrue(changed > 30, "most draws move or flip the image: " + changed);
  }
}
