package org.subspace.workers.inference;

import java.util.ArrayList;
import java.util.List;
import org.subspace.workers.random.Rng;

/**
 * Elliptical slice sampling (Murray, Adams and MacKay, 2010) of
 * {@code p(z | D) ∝ exp(logLikelihood(z) / T) N(z; 0, priorStd^2 I)}.
 *
 * <p>The chain is a value: {@link #step} maps a {@link ChainState} to the next, so a chain
 * can be checkpointed after any iteration and resumed bit-identically.
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
   * The chain after {@code iterations} steps: the current point and its (untempered)
   * log-likelihood, the generator state, the kept samples and the likelihood evaluations spent.
   */
  public record ChainState(
      double[] z,
      double logLikelihood,
      long rngState,
      int iterations,
      List<double[]> samples,
      List<Double> sampleLogLikelihoods,
      long likelihoodEvaluations) {

    public ChainState {
      samples = List.copyOf(samples);
      sampleLogLikelihoods = List.copyOf(sampleLogLikelihoods);
    }
  }

  private final Settings settings;

  public EllipticalSliceSampler(Settings settings) {
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  /** A chain at {@code z0} (the reference starts at z = 0), before any iteration. */
  public ChainState start(double[] z0, long seed, LogLikelihood likelihood) {
    return new ChainState(z0.clone(), likelihood.at(z0), Rng.derive(seed, "ess"), 0, List.of(), List.of(), 1);
  }

  public boolean done(ChainState state) {
    return state.iterations() >= settings.iterations();
  }

  /** Runs the chain to the end; {@code afterStep} (may be null) sees every new state. */
  public ChainState run(ChainState state, LogLikelihood likelihood, java.util.function.Consumer<ChainState> afterStep) {
    while (!done(state)) {
      state = step(state, likelihood);
      if (afterStep != null) {
        afterStep.accept(state);
      }
    }
    return state;
  }

  /** One ESS transition, keeping the new point if it falls on the thinning grid. */
  public ChainState step(ChainState state, LogLikelihood likelihood) {
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
    while (true) {
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
    int iterations = state.iterations() + 1;
    List<double[]> samples = state.samples();
    List<Double> logLikelihoods = state.sampleLogLikelihoods();
    int sinceBurnIn = iterations - settings.burnIn();
    if (sinceBurnIn > 0 && sinceBurnIn % settings.thin() == 0) {
      samples = new ArrayList<>(samples);
      samples.add(proposal.clone());
      logLikelihoods = new ArrayList<>(logLikelihoods);
      logLikelihoods.add(proposalLogLikelihood);
    }
    return new ChainState(proposal, proposalLogLikelihood, rng.state(), iterations, samples, logLikelihoods,
        evaluations);
  }
}
