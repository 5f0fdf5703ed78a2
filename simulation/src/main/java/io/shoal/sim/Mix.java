package io.shoal.sim;

/** 64-bit mixing for seeds and the trace hash (SplitMix64's finalizer). */
final class Mix {
  private Mix() {}

  static long mix(long x) {
    x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
    x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
    return x ^ (x >>> 31);
  }

  /** Folds {@code value} into the running hash {@code h}. */
  static long fold(long h, long value) {
    return mix(h * 0x9E3779B97F4A7C15L + value);
  }
}
