package io.shoal.testing;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Mutations of a valid encoding, as a fuzzer makes them: bit flips, truncation, inserted bytes,
 * overwritten bytes, and length fields set to extremes (the largest varints, all-ones and sign-bit
 * 32-bit words). Shared by the decoder fuzz properties; deterministic for a seed.
 */
public final class Mutations {
  /** Mutants per valid encoding; {@code -Dshoal.fuzz.mutants} raises it for long runs. */
  public static final int PER_SEED = Integer.getInteger("shoal.fuzz.mutants", 100);

  private static final byte[][] EXTREMES = {
    {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07}, // varint Integer.MAX_VALUE
    {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}, // varint -1
    {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, // varint Integer.MIN_VALUE
    {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
    {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
    {(byte) 0x80, 0, 0, 0},
    {0, 0, 0, 0},
    {(byte) 0xff, (byte) 0xff},
    {(byte) 0xff},
    {0x7f},
    {0},
  };

  private Mutations() {}

  /** One mutant of {@code valid}: one to three mutations, chosen by {@code r}. */
  public static byte[] mutate(byte[] valid, SplittableRandom r) {
    byte[] b = valid;
    int rounds = 1 + r.nextInt(3);
    for (int i = 0; i < rounds; i++) {
      b = once(b, r);
    }
    return b;
  }

  private static byte[] once(byte[] b, SplittableRandom r) {
    if (b.length == 0) {
      return new byte[] {(byte) r.nextInt(256)};
    }
    int at = r.nextInt(b.length);
    switch (r.nextInt(5)) {
      case 0 -> {
        byte[] c = b.clone();
        c[at] ^= (byte) (1 << r.nextInt(8));
        return c;
      }
      case 1 -> {
        return Arrays.copyOf(b, at);
      }
      case 2 -> {
        int n = 1 + r.nextInt(8);
        byte[] c = new byte[b.length + n];
        System.arraycopy(b, 0, c, 0, at);
        for (int i = 0; i < n; i++) {
          c[at + i] = (byte) r.nextInt(256);
        }
        System.arraycopy(b, at, c, at + n, b.length - at);
        return c;
      }
      case 3 -> {
        byte[] c = b.clone();
        c[at] = (byte) r.nextInt(256);
        return c;
      }
      default -> {
        byte[] extreme = EXTREMES[r.nextInt(EXTREMES.length)];
        byte[] c = b.clone();
        System.arraycopy(extreme, 0, c, at, Math.min(extreme.length, c.length - at));
        return c;
      }
    }
  }
}
