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

  /** FastCDC as the paper writes it, one byte a step: the reference for the two-byte loop. */
  static int byteWiseLength(FastCdc cdc, ByteBuffer data, int offset, int available) {
    long[] gear = FastCdc.gearTable(FastCdc.GEAR_SEED);
    int bits = Integer.numberOfTrailingZeros(cdc.avgBytes());
    long maskSmall = -1L << (64 - (bits + 2));
    long maskLarge = -1L << (64 - (bits - 2));
    int n = Math.min(available, cdc.maxBytes());
    if (n <= cdc.minBytes()) {
      return n;
    }
    long fp = 0;
    for (int i = cdc.minBytes(); i < n; i++) {
      fp = (fp << 1) + gear[data.get(offset + i) & 0xff];
      if ((fp & (i < Math.min(cdc.avgBytes(), n) ? maskSmall : maskLarge)) == 0) {
        return i + 1;
      }
    }
    return n;
  }

  @Property(tries = 200)
  void nextChunkLength_twoBytesAStep_equalsByteWise(
      @ForAll @LongRange(min = 1) long seed,
      @ForAll @IntRange(min = 64, max = 300) int min,
      @ForAll @IntRange(min = 0, max = 3) int alphabetBits,
      @ForAll @IntRange(min = 0, max = 5000) int offset,
      @ForAll @IntRange(min = 1, max = 3000) int block) {
    // A small alphabet makes early cuts frequent, so both bytes of a step and both regions are hit;
    // an odd minimum or offset shifts which byte of a step a cut lands on. A buffer without an
    // array is scanned in copied blocks: small ones put cuts on, before and after their edges.
    FastCdc cdc = FastCdc.of(min, 512, 2048 + (int) (seed & 1));
    byte[] data = TestData.randomBytes(seed, 64 << 10);
    if (alphabetBits > 0) {
      for (int i = 0; i < data.length; i++) {
        data[i] &= (byte) ((1 << alphabetBits) - 1);
      }
    }
    ByteBuffer heap = ByteBuffer.wrap(data);
    ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
    for (int at = offset; at < data.length; ) {
      int expected = byteWiseLength(cdc, heap, at, data.length - at);
      assertThat(cdc.nextChunkLength(heap, at, data.length - at))
          .as("at %d", at)
          .isEqualTo(expected);
      assertThat(cdc.nextChunkLength(direct, at, data.length - at)).isEqualTo(expected);
      assertThat(cdc.nextChunkLength(direct, at, data.length - at, block))
          .as("at %d in blocks of %d", at, block)
          .isEqualTo(expected);
      assertThat(cdc.nextChunkLength(heap.asReadOnlyBuffer(), at, data.length - at, block))
          .isEqualTo(expected);
      at += expected;
    }
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
