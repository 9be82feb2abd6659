package org.subspace.workers.vision;

import org.subspace.workers.data.ImageData;
import org.subspace.workers.random.Rng;

/** CIFAR's standard training augmentation, from a seeded generator so that epochs replay exactly. */
public final class Augmentation {
  private Augmentation() {}

  /**
   * Each image is padded with {@code padding} zeros on every side, cropped back to its size at a
   * uniformly random offset, and flipped left-right with probability 1/2.
   */
  public static ImageData cropAndFlip(ImageData data, int padding, Rng rng) {
    int channels = data.channels();
    int height = data.height();
    int width = data.width();
    float[] out = new float[data.pixels().length];
    for (int i = 0; i < data.count(); i++) {
      int dy = rng.nextInt(2 * padding + 1) - padding;
      int dx = rng.nextInt(2 * padding + 1) - padding;
      boolean flip = rng.nextDouble() < 0.5;
      int base = i * data.imageSize();
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < height; y++) {
          int sourceY = y + dy;
          for (int x = 0; x < width; x++) {
            int sourceX = (flip ? width - 1 - x : x) + dx;
            boolean inside = sourceY >= 0 && sourceY < height && sourceX >= 0 && sourceX < width;
            out[base + (c * height + y) * width + x] =
                inside ? data.pixels()[base + (c * height + sourceY) * width + sourceX] : 0f;
          }
        }
      }
    }
    return new ImageData(out, data.labels(), channels, height, width, data.classes());
  }
}
