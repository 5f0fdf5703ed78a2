package io.shoal.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded, reproducible bytes and files for tests. */
public final class TestData {
  private TestData() {}

  /** {@code size} pseudo-random bytes, the same for the same seed on every machine. */
  public static byte[] randomBytes(long seed, int size) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /** Writes {@code size} pseudo-random bytes to {@code file} (streaming, for large files). */
  public static Path randomFile(Path file, long seed, long size) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    SplittableRandom random = new SplittableRandom(seed);
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; ) {
        random.nextBytes(block);
        int n = (int) Math.min(block.length, left);
        out.write(block, 0, n);
        left -= n;
      }
    }
    return file;
  }

  /** Writes {@code bytes} to {@code file}, creating parent directories. */
  public static Path file(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    return Files.write(file, bytes);
  }

  /** A copy of {@code data} with {@code inserted} spliced in at {@code at}. */
  public static byte[] insert(byte[] data, int at, byte[] inserted) {
    byte[] out = new byte[data.length + inserted.length];
    System.arraycopy(data, 0, out, 0, at);
    System.arraycopy(inserted, 0, out, at, inserted.length);
    System.arraycopy(data, at, out, at + inserted.length, data.length - at);
    return out;
  }

  /** A copy of {@code data} without {@code length} bytes at {@code at}. */
  public static byte[] delete(byte[] data, int at, int length) {
    byte[] out = Arrays.copyOf(data, data.length - length);
    System.arraycopy(data, at + length, out, at, data.length - at - length);
    return out;
  }
}
