package org.subspace.protocol.spec;

import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.vocabulary.Method;

/**
 * How a sample stage draws the networks a model average is over: a Markov chain or a fitted
 * variational posterior in a subspace, or whole networks from a training's SWAG Gaussian.
 * Every variant names its own settings and nothing else, so its key changes with exactly them.
 */
public sealed interface SampleSpec extends StageSpec {
  Method method();

  /** The seed of the draws; the evaluation's draws from the samples derive from it too. */
  long seed();

  @Override
  default StageKind workerKind() {
    return StageKind.SAMPLE;
  }

  /** A sampler in a subspace: it targets a tempered posterior over the subspace's coordinates. */
  sealed interface InSubspace extends SampleSpec {
    SubspacePosterior posterior();
  }

  /** Elliptical slice sampling: {@code samples} kept after {@code burnIn}, every {@code thin}-th iteration. */
  record Ess(SubspacePosterior posterior, int samples, int burnIn, int thin, long seed) implements InSubspace {
    @Override
    public Method method() {
      return Method.ESS;
    }

    @Override
    public int algorithmVersion() {
      return 1;
    }
  }

  /**
   * Gaussian VI as in the reference (diagonal, or full covariance for vi-full): sigma =
   * softplus(rho) + 1e-6 with rho starting at {@code initRho}, loss = mean NLL of a batch + T *
   * KL / N, Adam for {@code epochs}; then {@code samples} independent draws from q(z).
   */
  record Variational(SubspacePosterior posterior, Method method, int samples, int epochs, int batchSize, double lr,
      double initRho, long seed) implements InSubspace {
    public Variational {
      requireFamily(method, Method.Family.VARIATIONAL);
    }

    @Override
    public int algorithmVersion() {
      return 1;
    }
  }

  /**
   * HMC and NUTS adapt the step size by dual averaging towards {@code targetAcceptance} during
   * {@code warmup} iterations, which are discarded.
   */
  record StepSizeAdaptation(int warmup, double targetAcceptance) {}

  /** HMC: {@code leapfrogSteps} per iteration; {@code samples} draws kept after the warm-up. */
  record Hmc(SubspacePosterior posterior, int samples, StepSizeAdaptation adaptation, int leapfrogSteps, long seed)
      implements InSubspace {
    @Override
    public Method method() {
      return Method.HMC;
    }

    @Override
    public int algorithmVersion() {
      return 1;
    }
  }

  /** NUTS: trajectories doubled at most {@code maxTreeDepth} times; {@code samples} draws kept after the warm-up. */
  record Nuts(SubspacePosterior posterior, int samples, StepSizeAdaptation adaptation, int maxTreeDepth, long seed)
      implements InSubspace {
    @Override
    public Method method() {
      return Method.NUTS;
    }

    @Override
    public int algorithmVersion() {
      return 1;
    }
  }

  /** {@code samples} networks from a training's SWAG Gaussian, its covariance scaled by {@code scale}. */
  record Swag(int samples, double scale, long seed) implements SampleSpec {
    @Override
    public Method method() {
      return Method.SWAG;
    }

    @Override
    public int algorithmVersion() {
      return 1;
    }
  }

  private static void requireFamily(Method method, Method.Family family) {
    if (method.family() != family) {
      throw new IllegalArgumentException(method.label() + " is not a " + family + " method");
    }
  }
}
