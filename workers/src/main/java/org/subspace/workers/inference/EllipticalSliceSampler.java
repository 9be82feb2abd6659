package org.subspace.workers.inference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.subspace.workers.random.Rng;

/**
 * Elliptical slice sampling (Murray, Adams and MacKay, 2010) of
 * {@code p(z | D) ∝ exp(logLikelihood(z) / T) N(z; 0, priorStd^2 I)}.
 *
 * <p>A step is a pure function of a small {@link ChainState}, so a chain can be checkpointed
 * after any iteration and resumed bit-identically.
 */
public final class EllipticalSliceSampler {

  /** The log-likelihood of the data at a point of the subspace (before tempering). */
  @FunctionalInterface
  public interface LogLikelihood {
    double at(double[] z);
  }

  /** {@code burnIn + samples * thin} iterations; every {@code thin}-th state after burn-in is kept. */
  public record Settings(int samples, int burnIn, int thin, double priorStd, double temperature) {
    public Settings {
      if (samples < 1 || burnIn < 0 || thin < 1 || !(priorStd > 0) || !(temperature > 0)) {
        throw new IllegalArgumentException(String.format(
            "invalid ESS settings: samples %d, burn-in %d, thin %d, prior std %s, temperature %s",
            samples, burnIn, thin, priorStd, temperature));
      }
    }

    public int iterations() {
      return burnIn + samples * thin;
    }
  }

  /**
   * Where a chain stands after {@code iterations} steps: the current point and its
   * (untempered) log-likelihood, the generator state and the likelihood evaluations spent.
   * Small on purpose: the next step depends on nothing else.
   */
  public record ChainState(double[] z, double logLikelihood, long rngState, int iterations, long likelihoodEvaluations) {}

  /** A chain's current state and the samples it kept so far (with their log-likelihoods). */
  public record Chain(ChainState state, List<double[]> samples, List<Double> sampleLogLikelihoods) {
    public Chain {
      samples = List.copyOf(samples);
      sampleLogLikelihoods = List.copyOf(sampleLogLikelihoods);
    }
  }

  /** Sees each new state and a read-only live view of the samples kept so far (copy what you keep). */
  @FunctionalInterface
  public interface StepListener {
    void afterStep(ChainState state, List<double[]> keptSoFar, List<Double> keptLogLikelihoods);
  }

  private final Settings settings;

  public EllipticalSliceSampler(Settings settings) {
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Shrinks of the slice bracket allowed per draw. A draw takes a handful; after this many the
   * bracket is narrower than a double can tell from the current point, which always lies on the
   * slice, so reaching it means the log-likelihood is not a function of z (or not finite there).
   */
  static final int MAX_SHRINKS = 200;

  /** A chain at {@code z0} (the reference starts at z = 0), before any iteration. */
  public Chain start(double[] z0, long seed, LogLikelihood likelihood) {
    double logLikelihood = likelihood.at(z0);
    requireFinite(logLikelihood, 0);
    return new Chain(new ChainState(z0.clone(), logLikelihood, Rng.derive(seed, "ess"), 0, 1), List.of(), List.of());
  }

  /** A slice under a NaN or infinite level is empty or everything: no draw could end. */
  private static void requireFinite(double logLikelihood, int iteration) {
    if (!Double.isFinite(logLikelihood)) {
      throw new IllegalStateException(String.format(
          "elliptical slice sampling: the log-likelihood is %s at the chain's point after %d iterations",
          logLikelihood, iteration));
    }
  }

  /** Whether the state after {@code iterations} steps is a kept sample (past burn-in, on the thinning grid). */
  public boolean keeps(int iterations) {
    int sinceBurnIn = iterations - settings.burnIn();
    return sinceBurnIn > 0 && sinceBurnIn % settings.thin() == 0;
  }

  /** Runs the chain to the end; {@code listener} (may be null) sees every step. */
  public Chain run(Chain from, LogLikelihood likelihood, StepListener listener) {
    List<double[]> samples = new ArrayList<>(from.samples());
    List<Double> logLikelihoods = new ArrayList<>(from.sampleLogLikelihoods());
    List<double[]> samplesView = Collections.unmodifiableList(samples);
    List<Double> logLikelihoodsView = Collections.unmodifiableList(logLikelihoods);
    ChainState state = from.state();
    while (state.iterations() < settings.iterations()) {
      state = step(state, likelihood);
      if (keeps(state.iterations())) {
        samples.add(state.z().clone());
        logLikelihoods.add(state.logLikelihood());
      }
      if (listener != null) {
        listener.afterStep(state, samplesView, logLikelihoodsView);
      }
    }
    return new Chain(state, samples, logLikelihoods);
  }

  /** One ESS transition. */
  public ChainState step(ChainState state, LogLikelihood likelihood) {
    requireFinite(state.logLikelihood(), state.iterations());
    Rng rng = new Rng(state.rngState());
    double[] f = state.z();
    int d = f.length;
    double[] nu = new double[d];
    for (int i = 0; i < d; i++) {
      nu[i] = settings.priorStd() * rng.nextGaussian();
    }
    double temperature = settings.temperature();
    double threshold = state.logLikelihood() / temperature + Math.log(rng.nextOpenDouble());
    double theta = 2.0 * Math.PI * rng.nextDouble();
    double lower = theta - 2.0 * Math.PI;
    double upper = theta;
    long evaluations = state.likelihoodEvaluations();
    double[] proposal = new double[d];
    double proposalLogLikelihood;
    for (int shrinks = 0; ; shrinks++) {
      if (shrinks > MAX_SHRINKS) {
        throw new IllegalStateException(String.format("elliptical slice sampling: no point on the slice after %d "
            + "shrinks at iteration %d; the log-likelihood is not a deterministic function of z", MAX_SHRINKS,
            state.iterations() + 1));
      }
      double cos = Math.cos(theta);
      double sin = Math.sin(theta);
      for (int i = 0; i < d; i++) {
        proposal[i] = f[i] * cos + nu[i] * sin;
      }
      proposalLogLikelihood = likelihood.at(proposal);
      evaluations++;
      if (proposalLogLikelihood / temperature > threshold) {
        break;
      }
      if (theta < 0) {
        lower = theta;
      } else {
        upper = theta;
      }
      theta = lower + (upper - lower) * rng.nextDouble();
    }
    return new ChainState(proposal, proposalLogLikelihood, rng.state(), state.iterations() + 1, evaluations);
  }
}
