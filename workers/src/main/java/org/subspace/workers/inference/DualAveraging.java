package org.subspace.workers.inference;

/**
 * Step-size adaptation by dual averaging (Hoffman and Gelman, 2014, section 3.2): during
 * warm-up the log step size is pushed towards an average acceptance statistic of
 * {@code target}; afterwards the averaged iterate is used, fixed, so the chain is a valid MCMC.
 */
final class DualAveraging {
  private static final double GAMMA = 0.05;
  private static final double T0 = 10.0;
  private static final double KAPPA = 0.75;

  private final double target;
  private final double initialStepSize;
  private final double mu;
  private double averageError;
  private double logStepSize;
  private double averagedLogStepSize;
  private int iterations;

  DualAveraging(double initialStepSize, double target) {
    this.target = target;
    this.initialStepSize = initialStepSize;
    this.mu = Math.log(10 * initialStepSize);
    this.logStepSize = Math.log(initialStepSize);
    this.averagedLogStepSize = 0.0;
  }

  /** Takes the acceptance statistic of one warm-up iteration; returns the step size for the next. */
  double update(double acceptance) {
    iterations++;
    double m = iterations;
    double eta = 1.0 / (m + T0);
    averageError = (1 - eta) * averageError + eta * (target - acceptance);
    logStepSize = mu - Math.sqrt(m) / GAMMA * averageError;
    double weight = Math.pow(m, -KAPPA);
    averagedLogStepSize = weight * logStepSize + (1 - weight) * averagedLogStepSize;
    return Math.exp(logStepSize);
  }

  /** What {@link #restore} needs: the initial step size, the averages and the iteration count. */
  double[] state() {
    return new double[] {initialStepSize, averageError, logStepSize, averagedLogStepSize, iterations};
  }

  static DualAveraging restore(double[] state, double target) {
    DualAveraging adaptation = new DualAveraging(state[0], target);
    adaptation.averageError = state[1];
    adaptation.logStepSize = state[2];
    adaptation.averagedLogStepSize = state[3];
    adaptation.iterations = (int) state[4];
    return adaptation;
  }

  /** The step size to sample with once warm-up is over. */
  double finalStepSize() {
    return Math.exp(averagedLogStepSize);
  }
}
