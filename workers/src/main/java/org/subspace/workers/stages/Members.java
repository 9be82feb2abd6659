package org.subspace.workers.stages;

import org.subspace.workers.subspace.Subspace;

/** The networks a model average is over: points of a subspace, or whole networks. */
sealed interface Members {
  /** The subspace points, one per row; none for whole networks. */
  double[][] zs();

  /** Chain or variational draws in (the leading rows of) a subspace. */
  record SubspacePoints(Subspace subspace, double[][] zs) implements Members {}

  /** Flat weight vectors: SWAG draws, or the SGD solution alone. */
  record Networks(float[][] weights) implements Members {
    @Override
    public double[][] zs() {
      return new double[0][];
    }
  }
}
