package org.subspace.workers.inference;

/** Monte Carlo error estimates the sampler tests derive their tolerances from. */
final class MonteCarlo {
  /** Two-sided 1e-5 tail of a t distribution with 49 degrees of freedom (50 batches) is about 5. */
  static final double Z = 5.0;
  static final int BATCHES = 50;

  private MonteCarlo() {}

  /**
   * The mean of f over a chain and its Monte Carlo standard error by batch means (which
   * accounts for the chain's autocorrelation, i.e. for its effective sample size).
   */
  static double[] meanAndError(double[] f) {
    int size = f.length / BATCHES;
    double[] batchMeans = new double[BATCHES];
    double mean = 0;
    for (int b = 0; b < BATCHES; b++) {
      for (int i = b * size; i < (b + 1) * size; i++) {
        batchMeans[b] += f[i] / size;
      }
      mean += batchMeans[b] / BATCHES;
    }
    double variance = 0;
    for (double m : batchMeans) {
      variance += (m - mean) * (m - mean) / (BATCHES - 1);
    }
    return new double[] {mean, Math.sqrt(variance / BATCHES)};
  }
}
