package org.subspace.protocol.spec;

import java.util.List;

/**
 * One dataset of a sweep, as plain data: where the rows come from, how to read and transform
 * them, and how splits are cut. Choice fields hold the configuration's labels
 * ({@code source}: generated-toy | table | images; {@code split}: reference | all | held-out, ...).
 *
 * @param contentSha256 sha256 of the data file's bytes (of the image files' for images; empty
 *     for generated data), so that a changed file gives new stage keys
 * @param images how to read an image folder ({@code source = images}), else null
 */
public record DataSpec(
    String name,
    String source,
    String path,
    String contentSha256,
    String separator,
    int headerLines,
    int targetColumn,
    List<Integer> dropColumns,
    String features,
    boolean standardize,
    String split,
    int generatedTrainPoints,
    int generatedTestPoints,
    long generatedSeed,
    Images images) {

  public DataSpec {
    dropColumns = List.copyOf(dropColumns);
  }

  /** The same data read from {@code otherPath} (null: from nowhere, as generated data). */
  public DataSpec withPath(String otherPath) {
    return new DataSpec(name, source, otherPath, contentSha256, separator, headerLines, targetColumn, dropColumns,
        features, standardize, split, generatedTrainPoints, generatedTestPoints, generatedSeed, images);
  }

  /**
   * Labelled images in the folder {@code path}: {@code format} optdigits (optdigits.tra and .tes),
   * idx (MNIST's files; without train-images files the first {@code trainCount} of the t10k
   * images train and the rest test), cifar10 or cifar100 (the binary batches). {@code augment}
   * applies random crops and flips to training batches.
   */
  public record Images(String format, int trainCount, boolean augment) {}
}
