package org.subspace.orchestrator.report;

import java.nio.file.Path;
import java.util.Locale;
import org.subspace.workers.store.AtomicFiles;

/** A predictive curve as a table. */
public final class CsvReports {
  private CsvReports() {}

  public static void writePredictive(Path file, GridPrediction grid) {
    StringBuilder csv = new StringBuilder("x,mean,std,std_with_noise\n");
    for (int i = 0; i < grid.x().length; i++) {
      csv.append(String.format(Locale.ROOT, "%.6f,%.8f,%.8f,%.8f%n",
          grid.x()[i], grid.mean()[i], grid.std()[i], grid.stdWithNoise()[i]));
    }
    AtomicFiles.write(file, csv.toString());
  }
}
