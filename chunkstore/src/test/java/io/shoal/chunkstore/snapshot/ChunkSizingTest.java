package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.FastCdc;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The chunk size class of a publication: few classes, stable within one, bounded. */
class ChunkSizingTest {
  private static final long MIB = 1L << 20;

  @ParameterizedTest(name = "{0} bytes -> avg {1}")
  @CsvSource({
    "0, 65536",
    "1, 65536",
    "67108864, 65536", // 64 MiB: the largest stream of the smallest class
    "67108865, 131072",
    "134217728, 131072", // 128 MiB
    "268435456, 262144", // 256 MiB: ~900 chunks rather than ~3,600
    "268435457, 524288",
    "536870913, 1048576",
    "1073741824, 1048576", // 1 GiB: ~900 chunks rather than ~14,400
    "1099511627776, 1048576", // 1 TiB: the largest class, whatever the size
  })
  void avgBytesFor_table(long streamBytes, int avgBytes) {
    assertThat(ChunkSizing.avgBytesFor(streamBytes)).isEqualTo(avgBytes);
  }

  @Test
  void smallestClass_isTheDefaultChunker() {
    assertThat(ChunkSizing.bySize().chunkerFor(10 * MIB, 0)).isSameAs(FastCdc.defaults());
  }

  @Test
  void largestClass_keepsItsChunksWithinTheFrameOfEveryProtocol4Node() {
    FastCdc c = ChunkSizing.bySize().chunkerFor(1L << 40, 0);
    assertThat(c.avgBytes()).isEqualTo(ChunkSizing.MAX_AVG_BYTES);
    assertThat(c.minBytes()).isEqualTo(ChunkSizing.MAX_AVG_BYTES / 4);
    assertThat(c.maxBytes()).isEqualTo(ChunkSizing.MAX_CHUNK_BYTES);
    assertThat(c.maxBytes() + 31).isLessThanOrEqualTo(4 << 20);
  }

  /** Every size of one class (a power-of-two range of sizes) picks one chunker. */
  @Property(tries = 300)
  void sizesWithinOneClass_pickTheSameChunker(
      @ForAll @IntRange(min = 16, max = 40) int log2Top,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long a,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long b) {
    long top = 1L << log2Top; // the class holds (top / 2, top]
    long x = top / 2 + 1 + Math.floorMod(a, top / 2);
    long y = top / 2 + 1 + Math.floorMod(b, top / 2);
    FastCdc cx = ChunkSizing.bySize().chunkerFor(x, 0);
    FastCdc cy = ChunkSizing.bySize().chunkerFor(y, 0);
    assertThat(cx.toString()).isEqualTo(cy.toString());
  }

  /** Any size: a class whose sizes keep the chunk count near the target and every bound held. */
  @Property(tries = 1000)
  void everyClass_isBoundedAndAimsAtTheTargetCount(
      @ForAll @LongRange(min = 0, max = 1L << 44) long streamBytes,
      @ForAll("previousAvgs") int previousAvgBytes) {
    FastCdc c = ChunkSizing.bySize().chunkerFor(streamBytes, previousAvgBytes);
    assertThat(Integer.bitCount(c.avgBytes())).isEqualTo(1);
    assertThat(c.avgBytes()).isBetween(ChunkSizing.MIN_AVG_BYTES, ChunkSizing.MAX_AVG_BYTES);
    assertThat(c.minBytes()).isEqualTo(c.avgBytes() / 4);
    assertThat(c.maxBytes())
        .isEqualTo(Math.min(c.avgBytes() * 4, ChunkSizing.MAX_CHUNK_BYTES))
        .isLessThanOrEqualTo(FastCdc.LIMIT_MAX_BYTES);
    long averageChunks = streamBytes / c.avgBytes();
    if (c.avgBytes() > ChunkSizing.MIN_AVG_BYTES && c.avgBytes() < ChunkSizing.MAX_AVG_BYTES) {
      // One class from the size alone gives (TARGET / 2, TARGET]; hysteresis a factor 2 more.
      assertThat(averageChunks)
          .isBetween(ChunkSizing.TARGET_CHUNKS / 4L, ChunkSizing.TARGET_CHUNKS * 2L);
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Integer> previousAvgs() {
    return net.jqwik.api.Arbitraries.oneOf(
        net.jqwik.api.Arbitraries.of(0, 1, 4096, 65536, 131072, 262144, 524288, 1 << 20, 2 << 20),
        net.jqwik.api.Arbitraries.integers());
  }

  @Test
  void aVersionJustPastABoundary_keepsItsPredecessorsClass() {
    long boundary = 256 * MIB; // 256 KiB up to here, 512 KiB past it
    int before = ChunkSizing.avgBytesFor(boundary, 0);
    assertThat(ChunkSizing.avgBytesFor(boundary + 4096, before)).isEqualTo(before);
    assertThat(ChunkSizing.avgBytesFor(boundary - 4096, before * 2)).isEqualTo(before * 2);
  }

  @Test
  void aVersionThatMoreThanDoubled_takesItsOwnClass() {
    assertThat(ChunkSizing.avgBytesFor(1024 * MIB, 256 << 10)).isEqualTo(1 << 20);
  }

  @Test
  void aPreviousAverageThatIsNoClass_isIgnored() {
    assertThat(ChunkSizing.avgBytesFor(256 * MIB + 1, 3 << 17)).isEqualTo(512 << 10);
    assertThat(ChunkSizing.avgBytesFor(100 * MIB, 32 << 10)).isEqualTo(128 << 10);
  }

  @Test
  void aFixedChunker_ignoresTheSize() {
    FastCdc small = FastCdc.of(256, 1024, 4096);
    assertThat(ChunkSizing.fixed(small).chunkerFor(1L << 40, 0)).isSameAs(small);
  }
}
