package org.subspace.workers.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Phi^-1 at points whose values are known to 16 digits, in the centre and both tail ranges. */
class NormalQuantileTest {
  @Test
  void knownQuantilesToFifteenDigits() {
    assertEquals(0.0, NormalQuantile.of(0.5));
    assertEquals(1.959963984540054, NormalQuantile.of(0.975), 1e-15);
    assertEquals(-1.2815515655446004, NormalQuantile.of(0.1), 1e-15);
    assertEquals(-4.753424308822899, NormalQuantile.of(1e-6), 1e-14);
    assertEquals(-8.222082216130435, NormalQuantile.of(1e-16), 1e-13);
    assertEquals(-NormalQuantile.of(0.3), NormalQuantile.of(0.7), 1e-15);
    assertEquals(Double.NEGATIVE_INFINITY, NormalQuantile.of(0));
  }
}
