package org.subspace.workers.data;

import java.nio.file.Path;
import java.util.List;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.vocabulary.DataSource;
import org.subspace.protocol.vocabulary.FeatureMap;

/** Turns a {@link DataSpec} and a split label into rows ready to train on, on whichever node runs the stage. */
public final class Datasets {
  private Datasets() {}

  /** The split labels a sweep runs: reference split indices, or the one split "all" / "held-out". */
  public static List<String> splitLabels(DataSpec spec, List<Integer> referenceSplits) {
    return switch (spec.split()) {
      case REFERENCE -> referenceSplits.stream().map(String::valueOf).toList();
      case ALL -> List.of("all");
      case HELD_OUT -> List.of("held-out");
    };
  }

  public static TableFormat format(DataSpec spec) {
    return new TableFormat(spec.separator(), spec.headerLines(),
        spec.targetColumn(), spec.dropColumns());
  }

  /** The rows of one split: a reference split index, "all" or "held-out" as {@link #splitLabels} names them. */
  public static PreparedSplit load(DataSpec spec, String split) {
    FeatureMap features = spec.features();
    DataFiles.requireContent(spec);
    boolean generated = spec.source() == DataSource.GENERATED_TOY;
    Table table = generated
        ? ToyRegression.generate(spec.generatedTrainPoints(), spec.generatedSeed())
        : TableLoader.load(Path.of(spec.path()), format(spec));
    RegressionData data = switch (spec.split()) {
      case REFERENCE -> RegressionData.referenceSplit(table, Integer.parseInt(split), features, spec.standardize());
      case ALL -> RegressionData.allRows(table, features, spec.standardize());
      case HELD_OUT -> RegressionData.heldOut(table,
          ToyRegression.generate(spec.generatedTestPoints(), spec.generatedSeed() + 1), features, spec.standardize());
    };
    return new PreparedSplit(split, table, data);
  }
}
