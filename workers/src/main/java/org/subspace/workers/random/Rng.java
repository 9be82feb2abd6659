package org.subspace.workers.random;

/**
 * A small, fast, splittable pseudo-random generator (SplitMix64) whose whole state is one
 * {@code long}, so a chain or a training run can be checkpointed and resumed bit-identically.
 *
 * <p>Not thread-safe: each stage owns its generator. Streams for independent purposes are
 * derived from a seed and a label with {@link #derive(long, String)}, never shared.
 */
public final class Rng {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private long state;

  public Rng(long state) {
    this.state = state;
  }

  /** A seed for an independent stream, derived from a parent seed and a label. */
  public static long derive(long seed, String label) {
    long h = mix(seed ^ 0x5DEECE66DL);
    for (int i = 0; i < label.length(); i++) {
      h = mix(h ^ label.charAt(i));
    }
    return h;
  }

  /** The generator's whole state; {@code new Rng(state())} continues the same stream. */
  public long state() {
    return state;
  }

  public long nextLong() {
    state += GOLDEN_GAMMA;
    return mix(state);
  }

  /** Uniform on [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform on (0, 1], safe to take the logarithm of. */
  public double nextOpenDouble() {
    return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
  }

  /** Uniform integer in [0, bound), without modulo bias. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + bound);
    }
    long limit = Long.divideUnsigned(-1L, bound) * bound;
    long r;
    do {
      r = nextLong();
    } while (Long.compareUnsigned(r, limit) >= 0);
    return (int) Long.remainderUnsigned(r, bound);
  }

  /** Standard normal by Box-Muller; uses two uniforms and keeps no spare, so state stays one long. */
  public double nextGaussian() {
    double u = nextOpenDouble();
    double v = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
