package org.subspace.orchestrator.sweep;

import java.util.ArrayList;
import java.util.List;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.protocol.BadInputException;
import org.subspace.workers.data.FeatureMap;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.data.Table;
import org.subspace.workers.data.TableLoader;
import org.subspace.workers.data.ToyRegression;

/** Loads or generates the sweep's data and cuts its splits, rejecting data the sweep cannot use. */
public final class DataPreparation {
  private DataPreparation() {}

  public static List<PreparedSplit> prepare(SweepSpec spec) {
    SweepSpec.DataSpec data = spec.data();
    Table table;
    Table heldOut = null;
    if (data.source() == SweepSpec.DataSource.GENERATED_TOY) {
      SweepSpec.GeneratedSpec generated = data.generated();
      table = ToyRegression.generate(generated.trainPoints(), generated.seed());
      if (data.split() == SweepSpec.SplitKind.HELD_OUT) {
        heldOut = ToyRegression.generate(generated.testPoints(), generated.seed() + 1);
      }
    } else {
      table = TableLoader.load(data.path(), data.format());
    }
    String source = data.path() == null ? "data.source" : data.path().toString();
    if (data.features() == FeatureMap.TOY_QUADRATIC && table.columns() != 1) {
      throw new BadInputException(source + ": data.features = toy-quadratic needs exactly one input column, found "
          + table.columns());
    }
    if (spec.evaluation().grid().enabled() && table.columns() != 1) {
      throw new BadInputException(source + ": evaluation.grid needs exactly one input column, found "
          + table.columns());
    }
    List<PreparedSplit> splits = new ArrayList<>();
    switch (data.split()) {
      case REFERENCE -> {
        for (int index : data.splits()) {
          splits.add(new PreparedSplit(Integer.toString(index), table,
              RegressionData.referenceSplit(table, index, data.features(), data.standardize())));
        }
      }
      case ALL -> splits.add(new PreparedSplit("all", table,
          RegressionData.allRows(table, data.features(), data.standardize())));
      case HELD_OUT -> splits.add(new PreparedSplit("held-out", table,
          RegressionData.heldOut(table, heldOut, data.features(), data.standardize())));
    }
    int trainRows = splits.get(0).data().trainCount();
    if (spec.training().batchSize() > trainRows) {
      throw new BadInputException(String.format("%s: training.batch-size %d is larger than the %d training rows",
          source, spec.training().batchSize(), trainRows));
    }
    return splits;
  }
}
