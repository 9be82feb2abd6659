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

  /** Each channel's mean and std (plus 1e-6) over all pixels of all images: [0] means, [1] stds. */
  public double[][] channelStatistics() {
    int plane = height * width;
    double[][] statistics = new double[2][channels];
    for (int c = 0; c < channels; c++) {
      double sum = 0;
      double squares = 0;
      for (int i = 0; i < count(); i++) {
        for (int k = 0, at = i * imageSize() + c * plane; k < plane; k++, at++) {
          sum += pixels[at];
          squares += (double) pixels[at] * pixels[at];
        }
      }
      double n = (double) count() * plane;
      statistics[0][c] = sum / n;
      statistics[1][c] = Math.sqrt(Math.max(squares / n - statistics[0][c] * statistics[0][c], 0)) + 1e-6;
    }
    return statistics;
  }

  /** Subtracts {@code statistics[0][c]} from channel c and divides by {@code statistics[1][c]}. */
  public ImageData normalized(double[][] statistics) {
    int plane = height * width;
    float[] out = pixels.clone();
    for (int c = 0; c < channels; c++) {
      for (int i = 0; i < count(); i++) {
        for (int k = 0, at = i * imageSize() + c * plane; k < plane; k++, at++) {
          out[at] = (float) ((out[at] - statistics[0][c]) / statistics[1][c]);
        }
      }
    }
    return new ImageData(out, labels, channels, height, width, classes);
  }
}
