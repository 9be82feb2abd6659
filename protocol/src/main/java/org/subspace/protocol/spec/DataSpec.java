package org.subspace.protocol.spec;

import java.util.List;
import org.subspace.protocol.vocabulary.DataSource;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.ImageFormat;
import org.subspace.protocol.vocabulary.Separator;
import org.subspace.protocol.vocabulary.SplitKind;

/**
 * One dataset of a sweep, as plain data: where the rows come from, how to read and transform
 * them, and how splits are cut.
 *
 * @param contentSha256 sha256 of the data file's bytes (of the image files' for images; empty
 *     for generated data), so that a changed file gives new stage keys
 * @param images how to read an image folder ({@code source = images}), else null
 */
public record DataSpec(
    String name,
    DataSource source,
    String path,
    String contentSha256,
    Separator separator,
    int headerLines,
    int targetColumn,
    List<Integer> dropColumns,
    FeatureMap features,
    boolean standardize,
    SplitKind split,
    int generatedTrainPoints,
    int generatedTestPoints,
    long generatedSeed,
    Images images) {

  public DataSpec {
    dropColumns = List.copyOf(dropColumns);
  }


  /**
   * Labelled images in the folder {@code path}: {@code format} optdigits (optdigits.tra and .tes),
   * idx (MNIST's files; without train-images files the first {@code trainCount} of the t10k
   * images train and the rest test), cifar10 or cifar100 (the binary batches). {@code augment}
   * applies random crops and flips to training batches.
   */
  public record Images(ImageFormat format, int trainCount, boolean augment) {}
}
