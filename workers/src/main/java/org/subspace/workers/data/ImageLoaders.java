package org.subspace.workers.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.vocabulary.ImageFormat;

/**
 * Readers of the image formats the project supports, strict about their layouts; every error
 * names the file: IDX (MNIST's format, plain or gzipped), the 8x8 optdigits CSV, and the
 * CIFAR-10/100 binary batches.
 */
public final class ImageLoaders {
  private ImageLoaders() {}

  private static final int IDX_UNSIGNED_BYTE = 0x08;

  /** An IDX image file (magic 0x00000803: count, rows, columns) and its label file (0x00000801). */
  public static ImageData idx(Path images, Path labels) {
    int[] imageShape;
    byte[] pixels;
    try (DataInputStream in = open(images)) {
      imageShape = idxHeader(in, images, 3);
      long size = (long) imageShape[0] * imageShape[1] * imageShape[2];
      pixels = readFully(in, images, size, "pixels");
    } catch (IOException e) {
      throw unreadable(images, e);
    }
    byte[] labelBytes;
    try (DataInputStream in = open(labels)) {
      int[] labelShape = idxHeader(in, labels, 1);
      if (labelShape[0] != imageShape[0]) {
        throw new BadInputException(labels + ": " + labelShape[0] + " labels for the " + imageShape[0] + " images of "
            + images);
      }
      labelBytes = readFully(in, labels, labelShape[0], "labels");
    } catch (IOException e) {
      throw unreadable(labels, e);
    }
    int[] classes = new int[labelBytes.length];
    for (int i = 0; i < classes.length; i++) {
      classes[i] = labelBytes[i] & 0xff;
      if (classes[i] > 9) {
        throw new BadInputException(labels + ": label " + classes[i] + " of image " + i + " is not a digit 0-9");
      }
    }
    return new ImageData(scaled(pixels, 255f), classes, 1, imageShape[1], imageShape[2], 10);
  }

  /**
   * The optdigits CSV: an optional header line, then 64 pixel counts in 0..16 and the class
   * 0..9 per row.
   */
  public static ImageData optdigits(Path file) {
    List<float[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNumber = 0;
      while ((line = reader.readLine()) != null) {
        lineNumber++;
        String trimmed = line.strip();
        if (trimmed.isEmpty() || lineNumber == 1 && !Character.isDigit(trimmed.charAt(0))) {
          continue;
        }
        String[] cells = trimmed.split(",", -1);
        if (cells.length != 65) {
          throw new BadInputException(String.format("%s:%d: expected 64 pixels and a class, found %d cells",
              file, lineNumber, cells.length));
        }
        float[] row = new float[64];
        for (int c = 0; c <= 64; c++) {
          int value;
          try {
            value = Integer.parseInt(cells[c].strip());
          } catch (NumberFormatException e) {
            throw new BadInputException(String.format("%s:%d: column %d: '%s' is not an integer",
                file, lineNumber, c + 1, cells[c].strip()));
          }
          int max = c < 64 ? 16 : 9;
          if (value < 0 || value > max) {
            throw new BadInputException(String.format("%s:%d: column %d: %d is not in 0..%d",
                file, lineNumber, c + 1, value, max));
          }
          if (c < 64) {
            row[c] = value / 16f;
          } else {
            labels.add(value);
          }
        }
        rows.add(row);
      }
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": data file not found");
    } catch (IOException e) {
      throw unreadable(file, e);
    }
    if (rows.isEmpty()) {
      throw new BadInputException(file + ": no data rows");
    }
    float[] pixels = new float[rows.size() * 64];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, pixels, i * 64, 64);
    }
    return new ImageData(pixels, labels.stream().mapToInt(Integer::intValue).toArray(), 1, 8, 8, 10);
  }

  /**
   * CIFAR binary batches: records of a label byte (CIFAR-10; CIFAR-100 has a coarse and a fine
   * label byte and the fine one is used) and 3072 pixel bytes (red, green, blue planes of 32x32).
   */
  public static ImageData cifar(List<Path> batches, int classes) {
    if (classes != 10 && classes != 100) {
      throw new BadInputException("CIFAR has 10 or 100 classes, not " + classes);
    }
    int labelBytes = classes == 10 ? 1 : 2;
    int record = labelBytes + 3072;
    ImageData all = null;
    for (Path batch : batches) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(batch);
      } catch (NoSuchFileException e) {
        throw new BadInputException(batch + ": data file not found");
      } catch (IOException e) {
        throw unreadable(batch, e);
      }
      if (bytes.length == 0 || bytes.length % record != 0) {
        throw new BadInputException(String.format("%s: %d bytes is not a whole number of %d-byte CIFAR-%d records",
            batch, bytes.length, record, classes));
      }
      int count = bytes.length / record;
      byte[] pixels = new byte[count * 3072];
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = bytes[i * record + labelBytes - 1] & 0xff;
        if (labels[i] >= classes) {
          throw new BadInputException(String.format("%s: record %d has label %d, not below %d", batch, i, labels[i],
              classes));
        }
        System.arraycopy(bytes, i * record + labelBytes, pixels, i * 3072, 3072);
      }
      ImageData part = new ImageData(scaled(pixels, 255f), labels, 3, 32, 32, classes);
      all = all == null ? part : all.concat(part);
    }
    if (all == null) {
      throw new BadInputException("no CIFAR batch files given");
    }
    return all;
  }

  private static DataInputStream open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + ": data file not found");
    }
    InputStream raw = new BufferedInputStream(Files.newInputStream(file));
    raw.mark(2);
    int first = raw.read();
    int second = raw.read();
    raw.reset();
    boolean gzipped = first == 0x1f && second == 0x8b;
    return new DataInputStream(gzipped ? new BufferedInputStream(new GZIPInputStream(raw)) : raw);
  }

  /** Reads an IDX header of unsigned bytes with {@code dimensions} sizes. */
  private static int[] idxHeader(DataInputStream in, Path file, int dimensions) throws IOException {
    int magic;
    try {
      magic = in.readInt();
    } catch (EOFException e) {
      throw new BadInputException(file + ": empty, not an IDX file");
    }
    if (magic >>> 16 != 0 || (magic >> 8 & 0xff) != IDX_UNSIGNED_BYTE || (magic & 0xff) != dimensions) {
      throw new BadInputException(String.format("%s: magic number 0x%08x is not an IDX file of unsigned bytes "
          + "with %d dimensions (0x%08x)", file, magic, dimensions, IDX_UNSIGNED_BYTE << 8 | dimensions));
    }
    int[] shape = new int[dimensions];
    for (int d = 0; d < dimensions; d++) {
      shape[d] = in.readInt();
      if (shape[d] < 1) {
        throw new BadInputException(file + ": dimension " + d + " has size " + shape[d]);
      }
    }
    return shape;
  }

  private static byte[] readFully(DataInputStream in, Path file, long size, String what) throws IOException {
    if (size > Integer.MAX_VALUE - 8) {
      throw new BadInputException(file + ": " + size + " " + what + " are too many for one array");
    }
    byte[] bytes = new byte[(int) size];
    try {
      in.readFully(bytes);
    } catch (EOFException e) {
      throw new BadInputException(file + ": truncated: the header promises " + size + " " + what);
    }
    return bytes;
  }

  private static float[] scaled(byte[] bytes, float max) {
    float[] values = new float[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      values[i] = (bytes[i] & 0xff) / max;
    }
    return values;
  }

  private static BadInputException unreadable(Path file, IOException e) {
    return new BadInputException(file + ": cannot read data file: " + e.getMessage(), e);
  }

  /**
   * The files a format reads from the folder, in order (train files, then test files); each
   * missing one is named. IDX: train-images/labels if present, and t10k-images/labels (plain
   * or .gz).
   */
  public static List<Path> files(Path folder, ImageFormat format) {
    if (!Files.isDirectory(folder)) {
      throw new BadInputException(folder + ": image folder not found (data.path)");
    }
    List<Path> files = new ArrayList<>();
    switch (format) {
      case OPTDIGITS -> {
        files.add(required(folder, "optdigits.tra"));
        files.add(required(folder, "optdigits.tes"));
      }
      case IDX -> {
        Path trainImages = optional(folder, "train-images-idx3-ubyte");
        if (trainImages != null) {
          files.add(trainImages);
          files.add(required(folder, "train-labels-idx1-ubyte"));
        }
        files.add(required(folder, "t10k-images-idx3-ubyte"));
        files.add(required(folder, "t10k-labels-idx1-ubyte"));
      }
      case CIFAR10 -> {
        for (int b = 1; b <= 5; b++) {
          files.add(required(folder, "data_batch_" + b + ".bin"));
        }
        files.add(required(folder, "test_batch.bin"));
      }
      case CIFAR100 -> {
        files.add(required(folder, "train.bin"));
        files.add(required(folder, "test.bin"));
      }
    }
    return files;
  }

  private static Path optional(Path folder, String name) {
    for (String candidate : List.of(name, name + ".gz")) {
      if (Files.isRegularFile(folder.resolve(candidate))) {
        return folder.resolve(candidate);
      }
    }
    return null;
  }

  private static Path required(Path folder, String name) {
    Path file = optional(folder, name);
    if (file == null) {
      throw new BadInputException(folder.resolve(name) + ": data file not found");
    }
    return file;
  }
}
