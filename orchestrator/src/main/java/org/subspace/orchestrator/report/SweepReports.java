package org.subspace.orchestrator.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.subspace.orchestrator.plan.Configuration;
import org.subspace.orchestrator.plan.PlannedStage;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.orchestrator.runtime.SweepOutcome;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.workers.store.ArtifactStore;

/**
 * Files for people at the end of a sweep, exported from the store: each configuration's
 * samples and per-sample predictions ({@code samples/LABEL.npz}) and, for 1-D data, the
 * predictive curve ({@code predictive.csv/png}, or {@code predictive-LABEL.*} when the sweep
 * has several configurations).
 */
public final class SweepReports {
  private SweepReports() {}

  public static List<GridPrediction> write(Path out, String sweepName, StagePlan plan, SweepOutcome outcome,
      ArtifactStore store) {
    List<PlannedStage> evaluations = plan.ofKind(StageKind.EVALUATE);
    Path samples = out.resolve("samples");
    List<GridPrediction> grids = new ArrayList<>();
    Map<List<String>, GridPrediction> bySubspaceAndMethod = new LinkedHashMap<>();
    createFolder(samples);
    Path chains = out.resolve("chains");
    for (PlannedStage evaluate : evaluations) {
      StageManifest manifest = outcome.manifests().get(evaluate.key());
      if (manifest == null) {
        continue;
      }
      String label = evaluate.configuration().label();
      store.copyTo(manifest.output(ArtifactKind.EVALUATION), samples.resolve(label + ".npz"));
      PlannedStage sample = plan.ancestor(evaluate.key(), StageKind.SAMPLE);
      StageManifest chain = sample == null ? null : outcome.manifests().get(sample.key());
      if (chain != null && chain.outputs().stream().anyMatch(r -> r.kind() == ArtifactKind.CHAIN)) {
        createFolder(chains);
        store.copyTo(chain.output(ArtifactKind.CHAIN), chains.resolve(label + ".npz"));
      }
      for (ArtifactRef output : manifest.outputs()) {
        if (output.kind() == ArtifactKind.GRID) {
          GridPrediction grid = GridPrediction.of(label, store.readTensors(output));
          String name = evaluations.size() == 1 ? "predictive" : "predictive-" + label;
          CsvReports.writePredictive(out.resolve(name + ".csv"), grid);
          PredictivePlot.write(out.resolve(name + ".png"), grid, sweepName + ": " + label);
          grids.add(grid);
          Configuration c = evaluate.configuration();
          bySubspaceAndMethod.putIfAbsent(List.of(c.subspaceLabel(), c.method().label()), grid);
        }
      }
    }
    writeFigureGrid(out, sweepName, bySubspaceAndMethod);
    return grids;
  }

  /**
   * With several subspaces or methods, the paper's figure: one predictive plot per (subspace,
   * method), subspaces in rows and methods in columns (the first configuration of each pair in
   * the sweep's order), as {@code predictive-grid.png}.
   */
  private static void writeFigureGrid(Path out, String sweepName, Map<List<String>, GridPrediction> cells) {
    List<String> rows = cells.keySet().stream().map(k -> k.get(0)).distinct().toList();
    List<String> columns = cells.keySet().stream().map(k -> k.get(1)).distinct().toList();
    if (rows.size() * columns.size() < 2) {
      return;
    }
    GridPrediction[][] grid = new GridPrediction[rows.size()][columns.size()];
    cells.forEach((k, prediction) -> grid[rows.indexOf(k.get(0))][columns.indexOf(k.get(1))] = prediction);
    PredictivePlot.writeGrid(out.resolve("predictive-grid.png"), rows, columns, grid, sweepName);
  }

  private static void createFolder(Path folder) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + folder + ": " + e.getMessage(), e);
    }
  }
}
