package org.subspace.workers.data;

import java.util.Arrays;

/**
 * Labelled images, channel-first: {@code pixels} holds {@code count} images of
 * {@code channels x height x width} floats (row-major, one image after the other), scaled to
 * [0, 1]; {@code labels} are class indices in [0, classes).
 */
public record ImageData(float[] pixels, int[] labels, int channels, int height, int width, int classes) {
  public ImageData {
    if (pixels.length != (long) labels.length * channels * height * width) {
      throw new IllegalArgumentException(pixels.length + " pixels do not hold " + labels.length + " images of "
          + channels + "x" + height + "x" + width);
    }
  }

  public int count() {
    return labels.length;
  }

  public int imageSize() {
    return channels * height * width;
  }

  /** The images {@code from..to-1}. */
  public ImageData slice(int from, int to) {
    return new ImageData(Arrays.copyOfRange(pixels, from * imageSize(), to * imageSize()),
        Arrays.copyOfRange(labels, from, to), channels, height, width, classes);
  }

  /** The images at {@code rows}, in that order. */
  public ImageData rows(int[] rows) {
    int size = imageSize();
    float[] chosen = new float[rows.length * size];
    int[] chosenLabels = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(pixels, rows[i] * size, chosen, i * size, size);
      chosenLabels[i] = labels[rows[i]];
    }
    return new ImageData(chosen, chosenLabels, channels, height, width, classes);
  }

  /** Both sets' images one after the other (same shape and classes). */
  public ImageData concat(ImageData other) {
    float[] joined = Arrays.copyOf(pixels, pixels.length + other.pixels.length);
    System.arraycopy(other.pixels, 0, joined, pixels.length, other.pixels.length);
    int[] joinedLabels = Arrays.copyOf(labels, labels.length + other.labels.length);
    System.arraycopy(other.labels, 0, joinedLabels, labels.length, other.labels.length);
    return new ImageData(joined, joinedLabels, channels, height, width, classes);
  }

  /** Subtracts each channel's mean and divides by its std (both over {@code reference}'s pixels). */
  public ImageData normalizedBy(ImageData reference) {
    int plane = height * width;
    float[] out = pixels.clone();
    for (int c = 0; c < channels; c++) {
      double sum = 0;
      double squares = 0;
      for (int i = 0; i < reference.count(); i++) {
        for (int k = 0, at = i * imageSize() + c * plane; k < plane; k++, at++) {
          sum += reference.pixels[at];
          squares += (double) reference.pixels[at] * reference.pixels[at];
        }
      }
      double n = (double) reference.count() * plane;
      double mean = sum / n;
      double std = Math.sqrt(Math.max(squares / n - mean * mean, 0)) + 1e-6;
      for (int i = 0; i < count(); i++) {
        for (int k = 0, at = i * imageSize() + c * plane; k < plane; k++, at++) {
          out[at] = (float) ((out[at] - mean) / std);
        }
      }
    }
    return new ImageData(out, labels, channels, height, width, classes);
  }
}
