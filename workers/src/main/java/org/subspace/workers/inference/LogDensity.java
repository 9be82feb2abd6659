package org.subspace.workers.inference;

/** A differentiable log density over a subspace's coordinates, up to a constant. */
@FunctionalInterface
public interface LogDensity {
  /** Returns log p(z) and writes its gradient with respect to z into {@code gradient}. */
  double at(double[] z, double[] gradient);

  /**
   * The tempered subspace posterior {@code log p(z | D) = logLikelihood(z) / T - |z|^2 / (2 priorStd^2)},
   * the target of ESS (which sees the two terms separately) and of HMC and NUTS.
   */
  static LogDensity temperedPosterior(LogDensity logLikelihood, double temperature, double priorStd) {
    double priorPrecision = 1.0 / (priorStd * priorStd);
    return (z, gradient) -> {
      double value = logLikelihood.at(z, gradient) / temperature;
      for (int i = 0; i < z.length; i++) {
        gradient[i] = gradient[i] / temperature - priorPrecision * z[i];
        value -= 0.5 * priorPrecision * z[i] * z[i];
      }
      return value;
    };
  }
}
