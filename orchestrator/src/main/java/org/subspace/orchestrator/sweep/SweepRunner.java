package org.subspace.orchestrator.sweep;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.protocol.RegressionScores;
import org.subspace.workers.data.RegressionData;
import org.subspace.workers.eval.RegressionEvaluation;
import org.subspace.workers.inference.EllipticalSliceSampler;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.Mlp;
import org.subspace.workers.model.SubspaceNetwork;
import org.subspace.workers.random.Rng;
import org.subspace.workers.subspace.Subspace;
import org.subspace.workers.subspace.Subspaces;
import org.subspace.workers.train.SgdTrainer;
import org.subspace.workers.train.TrainingState;

/**
 * Runs a sweep in this thread, sharing upstream work: one training per (split, seed), one
 * subspace at the largest rank whose leading rows serve every smaller rank, one chain per
 * (rank, temperature). A configuration that fails is recorded and the others go on.
 */
public final class SweepRunner {
  private static final Logger log = LoggerFactory.getLogger(SweepRunner.class);

  /** Everything a sweep produced. */
  public record Outcome(List<ResultRow> rows, List<SampleSet> samples, List<GridPrediction> grids) {
    public long failures() {
      return rows.stream().filter(r -> !r.ok()).count();
    }
  }

  private final SweepSpec spec;

  public SweepRunner(SweepSpec spec) {
    this.spec = spec;
  }

  public Outcome run(List<PreparedSplit> splits) {
    List<ResultRow> rows = new ArrayList<>();
    List<SampleSet> samples = new ArrayList<>();
    List<GridPrediction> grids = new ArrayList<>();
    Outcome outcome = new Outcome(rows, samples, grids);
    for (PreparedSplit split : splits) {
      for (long seed : spec.seeds()) {
        runTraining(split, seed, outcome);
      }
    }
    return outcome;
  }

  private void runTraining(PreparedSplit split, long seed, Outcome outcome) {
    RegressionData data = split.data();
    Mlp mlp = new Mlp(spec.model().forInputs(data.features()));
    long started = System.nanoTime();
    Subspace full;
    try {
      log.info("training {} split {} seed {}: {} on {} rows, {} epochs", spec.data().name(), split.label(), seed,
          mlp.spec().describe(), data.trainCount(), spec.training().epochs());
      int every = Math.max(1, spec.training().epochs() / 10);
      TrainingState trained = new SgdTrainer(mlp, data, spec.training(), seed).run(
          TrainingState.initial(mlp.spec(), spec.training(), seed),
          (epoch, loss, snapshot) -> {
            if (epoch % every == 0) {
              log.info("  epoch {}/{} loss {}", epoch, spec.training().epochs(), String.format("%.4f", loss));
            }
          });
      full = buildSubspace(trained, seed);
    } catch (RuntimeException e) {
      log.error("training split {} seed {} failed", split.label(), seed, e);
      for (int rank : spec.subspace().ranks()) {
        for (double temperature : spec.inference().temperatures()) {
          outcome.rows().add(row(split, seed, rank, temperature, null, data.evalSet(), 0, 0, seconds(started), 0, e));
        }
      }
      return;
    }
    double trainSeconds = seconds(started);
    GaussianLikelihood likelihood = new GaussianLikelihood(spec.model().head(), spec.inference().noiseVariance());
    for (int rank : spec.subspace().ranks()) {
      try (SubspaceNetwork network = new SubspaceNetwork(mlp, likelihood, full.truncate(rank), data.trainX(),
          data.trainY())) {
        for (double temperature : spec.inference().temperatures()) {
          runChain(split, seed, rank, temperature, network, trainSeconds, outcome);
        }
      }
    }
  }

  private Subspace buildSubspace(TrainingState trained, long seed) {
    int rank = spec.subspace().maxRank();
    return switch (spec.subspace().kind()) {
      case PCA -> Subspaces.pca(trained.swag().meanAsFloats(), trained.swag().deviations(), rank);
      case RANDOM -> Subspaces.random(trained.swag().meanAsFloats(), rank, seed);
    };
  }

  private void runChain(PreparedSplit split, long seed, int rank, double temperature, SubspaceNetwork network,
      double trainSeconds, Outcome outcome) {
    RegressionData data = split.data();
    long chainSeed = Rng.derive(seed, "chain/" + split.label() + "/" + rank + "/" + temperature);
    long started = System.nanoTime();
    try {
      SweepSpec.InferenceSpec inference = spec.inference();
      EllipticalSliceSampler sampler = new EllipticalSliceSampler(new EllipticalSliceSampler.Settings(
          inference.samples(), inference.burnIn(), inference.thin(), inference.priorStd(), temperature));
      EllipticalSliceSampler.Chain chain =
          sampler.run(sampler.start(new double[rank], chainSeed, network::logLikelihood), network::logLikelihood,
              null);
      double sampleSeconds = seconds(started);
      double[][] zs = draws(chain.samples(), chainSeed);
      float[][][] predictions = network.predict(zs, data.evalX());
      RegressionScores scores = RegressionEvaluation.score(predictions[0], predictions[1], data.evalY(), data.yStd());
      ResultRow row = row(split, seed, rank, temperature, scores, data.evalSet(), chain.samples().size(),
          chain.state().likelihoodEvaluations(), trainSeconds, sampleSeconds, null);
      log.info("{}: test LL {} RMSE {} ({} samples, {} likelihood evaluations, {} s)", row.label(),
          String.format("%.4f", scores.testLogLikelihood()), String.format("%.4f", scores.rmse()),
          chain.samples().size(), chain.state().likelihoodEvaluations(), String.format("%.2f", sampleSeconds));
      outcome.rows().add(row);
      outcome.samples().add(new SampleSet(row, zs, predictions[0], predictions[1], data.evalY(), data.yMean(),
          data.yStd()));
      if (spec.evaluation().grid().enabled()) {
        outcome.grids().add(gridPrediction(row, split, network, zs, chainSeed));
      }
    } catch (RuntimeException e) {
      log.error("chain split {} seed {} rank {} T {} failed", split.label(), seed, rank, temperature, e);
      outcome.rows().add(
          row(split, seed, rank, temperature, null, data.evalSet(), 0, 0, trainSeconds, seconds(started), e));
    }
  }

  /** Every kept sample, or {@code evaluation.draws} samples drawn uniformly with replacement. */
  private double[][] draws(List<double[]> samples, long chainSeed) {
    int count = spec.evaluation().draws();
    if (count == 0) {
      return samples.toArray(new double[0][]);
    }
    Rng rng = new Rng(Rng.derive(chainSeed, "draws"));
    double[][] zs = new double[count][];
    for (int i = 0; i < count; i++) {
      zs[i] = samples.get(rng.nextInt(samples.size()));
    }
    return zs;
  }

  private GridPrediction gridPrediction(
      ResultRow row, PreparedSplit split, SubspaceNetwork network, double[][] zs, long chainSeed) {
    RegressionData data = split.data();
    double[] xs = spec.evaluation().grid().xs();
    double[][] raw = new double[xs.length][];
    for (int i = 0; i < xs.length; i++) {
      raw[i] = new double[] {xs[i]};
    }
    float[][][] predictions = network.predict(zs, data.transformInputs(raw));
    RegressionEvaluation.Moments moments = RegressionEvaluation.moments(predictions[0], predictions[1]);
    double[] mean = new double[xs.length];
    double[] std = new double[xs.length];
    double[] stdWithNoise = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      mean[i] = data.yMean() + data.yStd() * moments.mean()[i];
      std[i] = data.yStd() * Math.sqrt(moments.epistemicVariance()[i]);
      stdWithNoise[i] = data.yStd() * Math.sqrt(moments.variance()[i]);
    }
    int shown = Math.min(spec.evaluation().plotSamples(), zs.length);
    Rng rng = new Rng(Rng.derive(chainSeed, "plot-samples"));
    double[][] functions = new double[shown][xs.length];
    for (int s = 0; s < shown; s++) {
      float[] f = predictions[0][rng.nextInt(zs.length)];
      for (int i = 0; i < xs.length; i++) {
        functions[s][i] = data.yMean() + data.yStd() * f[i];
      }
    }
    double[] trainX = new double[data.trainCount()];
    double[] trainY = new double[data.trainCount()];
    for (int i = 0; i < trainX.length; i++) {
      trainX[i] = split.source().features()[data.trainRows()[i]][0];
      trainY[i] = split.source().target()[data.trainRows()[i]];
    }
    return new GridPrediction(row, xs, mean, std, stdWithNoise, functions, trainX, trainY);
  }

  private ResultRow row(PreparedSplit split, long seed, int rank, double temperature, RegressionScores scores,
      String evalSet, int samples, long evaluations, double trainSeconds, double sampleSeconds, Exception error) {
    return new ResultRow(spec.data().name(), split.label(), seed, SweepConfigLoader.label(spec.subspace().kind()),
        rank, SweepConfigLoader.label(spec.inference().method()), temperature, scores, evalSet, samples, evaluations,
        trainSeconds, sampleSeconds, error == null ? null : oneLine(error));
  }

  private static String oneLine(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replaceAll("\\s*\\R\\s*", " ");
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
