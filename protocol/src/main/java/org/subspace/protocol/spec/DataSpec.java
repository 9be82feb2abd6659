package org.subspace.protocol.spec;

import java.util.List;

/**
 * One dataset of a sweep, as plain data: where the rows come from, how to read and transform
 * them, and how splits are cut. Choice fields hold the configuration's labels
 * ({@code source}: generated-toy | table; {@code split}: reference | all | held-out, ...).
 *
 * @param contentSha256 sha256 of the data file's bytes (empty for generated data), so that a
 *     changed file gives new stage keys
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
    long generatedSeed) {

  public DataSpec {
    dropColumns = List.copyOf(dropColumns);
  }
}
