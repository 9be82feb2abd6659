package org.subspace.workers.data;

/**
 * NumPy's legacy {@code np.random.seed(k); np.random.shuffle(arange(n))}, bit for bit, so
 * that our train/test splits are the reference implementation's.
 *
 * <p>MT19937 seeded with {@code init_genrand(seed)}; the shuffle is Fisher-Yates from the
 * end, drawing each index in [0, i] by masked rejection sampling of 32-bit outputs.
 */
public final class LegacyNumpyShuffle {
  private static final int N = 624;
  private static final int M = 397;

  private final int[] mt = new int[N];
  private int index;

  private LegacyNumpyShuffle(long seed) {
    mt[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    index = N;
  }

  /** The permutation of 0..n-1 that NumPy's legacy shuffle produces after seeding with {@code seed}. */
  public static int[] permutation(int n, long seed) {
    if (seed < 0 || seed > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("seed must be in [0, 2^32): " + seed);
    }
    LegacyNumpyShuffle rng = new LegacyNumpyShuffle(seed);
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = (int) rng.interval(i);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** Uniform in [0, max] by masking to the smallest covering power of two and rejecting. */
  private long interval(long max) {
    long mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    long value;
    do {
      value = nextUnsigned32() & mask;
    } while (value > max);
    return value;
  }

  private long nextUnsigned32() {
    if (index >= N) {
      twist();
    }
    int y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9D2C5680;
    y ^= (y << 15) & 0xEFC60000;
    y ^= y >>> 18;
    return y & 0xFFFFFFFFL;
  }

  private void twist() {
    for (int i = 0; i < N; i++) {
      int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7FFFFFFF);
      int next = mt[(i + M) % N] ^ (y >>> 1);
      mt[i] = (y & 1) == 0 ? next : next ^ 0x9908B0DF;
    }
    index = 0;
  }
}
