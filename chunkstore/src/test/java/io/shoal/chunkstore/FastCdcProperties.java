package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.testing.TestData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Content-defined chunking: edits move only the boundaries around them. */
class FastCdcProperties {
  private static final FastCdc CDC = FastCdc.of(2048, 8192, 32768);

  /** The chunks as slices of the data. */
  static List<byte[]> chunks(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    List<byte[]> out = new ArrayList<>();
    for (int at = 0; at < data.length; ) {
      int n = CDC.nextChunkLength(b, at, data.length - at);
      out.add(Arrays.copyOfRange(data, at, at + n));
      at += n;
    }
    return out;
  }

  @Property(tries = 50)
  void concatenatedChunks_areTheInput(
      @ForAll @LongRange(min = 1) long seed, @ForAll @IntRange(min = 0, max = 400_000) int size) {
    byte[] data = TestData.randomBytes(seed, size);
    byte[] joined = new byte[size];
    int at = 0;
    for (byte[] c : chunks(data)) {
      System.arraycopy(c, 0, joined, at, c.length);
      at += c.length;
    }
    assertThat(at).isEqualTo(size);
    assertThat(joined).isEqualTo(data);
  }

  @Property(tries = 50)
  void insertion_changesOnlyChunksAroundIt(
      @ForAll @LongRange(min = 1) long seed, @ForAll @IntRange(min = 1, max = 64) int inserted) {
    byte[] data = TestData.randomBytes(seed, 1 << 20);
    int at = (1 << 19) + (int) (seed % 10_000);
    byte[] edited = TestData.insert(data, at, TestData.randomBytes(~seed, inserted));
    assertOnlyChunksAroundTheEditDiffer(chunks(data), chunks(edited), at);
  }

  @Property(tries = 50)
  void deletion_changesOnlyChunksAroundIt(
      @ForAll @LongRange(min = 1) long seed, @ForAll @IntRange(min = 1, max = 64) int deleted) {
    byte[] data = TestData.randomBytes(seed, 1 << 20);
    int at = (1 << 19) + (int) (seed % 10_000);
    assertOnlyChunksAroundTheEditDiffer(
        chunks(data), chunks(TestData.delete(data, at, deleted)), at);
  }

  @Example
  void edits_onAverage_changeAboutOneChunk() {
    // Normalized chunking can cascade: an edit that shortens a chunk moves a boundary cut with
    // the easy mask into the region where the hard mask applies, so resynchronization waits
    // for a boundary that passes both. Over fixed seeds, the mean stays near one chunk.
    int total = 0;
    for (long seed = 1; seed <= 200; seed++) {
      byte[] data = TestData.randomBytes(seed, 1 << 20);
      int at = (1 << 19) + (int) (seed * 37 % 10_000);
      total +=
          changedChunks(chunks(data), chunks(TestData.delete(data, at, 1 + (int) (seed % 64))));
    }
    assertThat(total / 200.0).isLessThan(1.5);
  }

  /**
   * Every chunk that ends before the edit is unchanged, the chunking resynchronizes after it (the
   * last chunks are shared), and the changed run is short.
   */
  private static void assertOnlyChunksAroundTheEditDiffer(
      List<byte[]> before, List<byte[]> after, int editAt) {
    int end = 0;
    for (int i = 0; i < before.size() && end + before.get(i).length <= editAt; i++) {
      end += before.get(i).length;
      assertThat(after.get(i)).as("chunk %d, before the edit", i).isEqualTo(before.get(i));
    }
    assertThat(Arrays.equals(before.get(before.size() - 1), after.get(after.size() - 1)))
        .as("chunking resynchronized after the edit")
        .isTrue();
    assertThat(changedChunks(before, after)).as("chunks changed by a small edit").isBetween(1, 20);
  }

  /** Chunks of {@code after} outside the common prefix and suffix. */
  static int changedChunks(List<byte[]> before, List<byte[]> after) {
    int prefix = 0;
    while (prefix < Math.min(before.size(), after.size())
        && Arrays.equals(before.get(prefix), after.get(prefix))) {
      prefix++;
    }
    int suffix = 0;
    while (suffix < Math.min(before.size(), after.size()) - prefix
        && Arrays.equals(
            before.get(before.size() - 1 - suffix), after.get(after.size() - 1 - suffix))) {
      suffix++;
    }
    return after.size() - prefix - suffix;
  }
}
