package org.subspace.orchestrator.bench;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.subspace.protocol.vocabulary.Activation;
import org.subspace.protocol.vocabulary.FeatureMap;
import org.subspace.protocol.vocabulary.Head;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.data.ToyRegression;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.Mlp;
import org.subspace.workers.model.MlpSpec;
import org.subspace.workers.model.SubspaceNetwork;
import org.subspace.workers.random.Rng;
import org.subspace.workers.subspace.Subspaces;

/**
 * Runs toy likelihood evaluations and prints, every {@code every} of them, the process's RSS
 * and direct-buffer memory in MB: {@code evaluations rss direct}. Started by the perf suite in
 * its own JVM with a fixed, pre-touched heap, so that RSS moves only with native memory.
 */
public final class MemoryProbe {
  private MemoryProbe() {}

  public static void main(String[] args) throws Exception {
    int evaluations = Integer.parseInt(args[0]);
    int every = Integer.parseInt(args[1]);
    RegressionData data = RegressionData.heldOut(ToyRegression.generate(400, 0), ToyRegression.generate(200, 1),
        FeatureMap.TOY_QUADRATIC, false);
    MlpSpec spec = new MlpSpec(2, List.of(200, 50, 50, 50), Activation.RELU, Head.MEAN);
    double[] z = new double[10];
    try (SubspaceNetwork network = new SubspaceNetwork(new Mlp(spec), new GaussianLikelihood(Head.MEAN, 0.05),
        Subspaces.random(spec.initialWeights(new Rng(5)), 10, 6), data.trainX(), data.trainY())) {
      for (int i = 1; i <= evaluations; i++) {
        z[i % 10] = Math.sin(i);
        network.logLikelihood(z);
        if (i % every == 0) {
          System.out.printf("%d %.2f %.3f%n", i, residentMegabytes(Path.of("/proc/self")), directMegabytes());
        }
      }
    }
  }

  /** The resident set size in MB of the process whose /proc folder is {@code proc}. */
  static double residentMegabytes(Path proc) throws IOException {
    return statusMegabytes(proc, "VmRSS");
  }

  /** The peak resident set size in MB (VmHWM) of the process whose /proc folder is {@code proc}. */
  static double peakResidentMegabytes(Path proc) throws IOException {
    return statusMegabytes(proc, "VmHWM");
  }

  private static double statusMegabytes(Path proc, String field) throws IOException {
    for (String line : Files.readAllLines(proc.resolve("status"))) {
      if (line.startsWith(field + ":")) {
        return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    throw new IOException(proc.resolve("status") + " has no " + field + " line");
  }

  private static double directMegabytes() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum() / 1048576.0;
  }
}
