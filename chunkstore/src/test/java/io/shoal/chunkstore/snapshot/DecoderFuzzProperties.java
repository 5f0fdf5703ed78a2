package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.testing.AllocationBound;
import io.shoal.testing.FuzzTally;
import io.shoal.testing.Mutations;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Untrusted bytes (a peer's chunk that happens to hash right, a damaged disk) go through these
 * decoders: whatever the bytes, the result is a value or a {@link FormatException}, never another
 * exception, and a decode allocates at most {@link AllocationBound}'s bound for its input. The
 * mutant properties start from random valid encodings made by the real encoders and mutate them
 * with {@link Mutations}; {@code -Dshoal.fuzz.mutants=N} sets the mutants per valid encoding
 * ({@code bench/fuzz.sh} runs many more than CI).
 */
class DecoderFuzzProperties {
  private static final ChunkId ID = HashAlgorithm.XXH128.hash(new byte[] {1});
  private static final FuzzTally TALLY = new FuzzTally();

  @AfterContainer
  static void printTally() {
    TALLY.summary().forEach(System.out::println);
  }

  interface Decoder {
    void decode(byte[] bytes) throws FormatException;
  }

  static final List<Decoder> DECODERS =
      List.of(
          b -> IndexNode.decode(ID, 1, ByteBuffer.wrap(b)),
          b -> FileTable.decode(ByteBuffer.wrap(b), "fuzz"),
          b -> SnapshotRoot.decode(ID, ByteBuffer.wrap(b)));

  static byte[] validIndexNode() {
    return new IndexNode(
            1, HashAlgorithm.XXH128, new long[] {1, 2}, new long[] {3, 4}, new long[] {5, 6})
        .encode();
  }

  static byte[] validFileTable() throws FormatException {
    return FileTable.of(
            List.of(
                new FileEntry("a", true, 0755, 0, 0),
                new FileEntry("a/b.txt", false, 0644, 10, 0),
                new FileEntry("c", false, 0600, 5, 0)))
        .encode();
  }

  static byte[] validRoot() {
    return new SnapshotRoot(
            "n",
            3,
            HashAlgorithm.XXH128,
            false,
            "p",
            1,
            new TreeRef(ID, 15, 1),
            new TreeRef(ID, 40, 0),
            3,
            64,
            128,
            256)
        .encode();
  }

  @Provide
  Arbitrary<byte[]> seeds() {
    return Arbitraries.of(0, 1, 2)
        .map(
            i -> {
              try {
                return i == 0 ? validIndexNode() : i == 1 ? validFileTable() : validRoot();
              } catch (FormatException e) {
                throw new AssertionError(e);
              }
            });
  }

  @Property(tries = 2000)
  void randomBytes_decodeOrFormatException(@ForAll @Size(max = 300) byte[] bytes) {
    for (Decoder d : DECODERS) {
      decodeQuietly(d, bytes);
    }
  }

  @Property(tries = 3000)
  void mutatedValidEncodings_decodeOrFormatException(
      @ForAll("seeds") byte[] valid,
      @ForAll @IntRange(min = 0, max = 10_000) int position,
      @ForAll byte value,
      @ForAll @IntRange(min = 0, max = 3) int cut) {
    byte[] mutated = java.util.Arrays.copyOf(valid, Math.max(0, valid.length - cut));
    if (mutated.length > 0) {
      mutated[position % mutated.length] = value;
    }
    for (Decoder d : DECODERS) {
      decodeQuietly(d, mutated);
    }
  }

  @Property(tries = 10)
  void validEncodings_roundTrip() throws Exception {
    assertThat(IndexNode.decode(ID, 1, ByteBuffer.wrap(validIndexNode())).childCount())
        .isEqualTo(2);
    assertThat(FileTable.decode(ByteBuffer.wrap(validFileTable()), "x").size()).isEqualTo(3);
    assertThat(SnapshotRoot.decode(ID, ByteBuffer.wrap(validRoot())).version()).isEqualTo(3);
  }

  private static void decodeQuietly(Decoder d, byte[] bytes) {
    try {
      d.decode(bytes);
    } catch (FormatException expected) {
      // The only failure allowed.
    }
  }

  @Property(tries = 100)
  void indexNodes_mutated_decodeOrFormatException(@ForAll long seed) throws FormatException {
    SplittableRandom r = new SplittableRandom(seed);
    HashAlgorithm algorithm = r.nextBoolean() ? HashAlgorithm.XXH128 : HashAlgorithm.SHA256;
    ChunkId id = ValidEncodings.chunkId(algorithm, r);
    int level = 1 + r.nextInt(3);
    byte[] valid = ValidEncodings.indexNode(algorithm, level, r);
    assertThat(IndexNode.decode(id, level, ByteBuffer.wrap(valid)).level()).isEqualTo(level);
    fuzz("IndexNode", valid, r, b -> IndexNode.decode(id, level, ByteBuffer.wrap(b)));
  }

  @Property(tries = 100)
  void fileTables_mutated_decodeOrFormatException(@ForAll long seed) throws FormatException {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] valid = ValidEncodings.fileTable(r);
    FileTable.decode(ByteBuffer.wrap(valid), "valid");
    fuzz("FileTable", valid, r, b -> FileTable.decode(ByteBuffer.wrap(b), "fuzz"));
  }

  @Property(tries = 100)
  void snapshotRoots_mutated_decodeOrFormatException(@ForAll long seed) throws FormatException {
    SplittableRandom r = new SplittableRandom(seed);
    HashAlgorithm algorithm = r.nextBoolean() ? HashAlgorithm.XXH128 : HashAlgorithm.SHA256;
    ChunkId id = ValidEncodings.chunkId(algorithm, r);
    byte[] valid = ValidEncodings.root(algorithm, r);
    SnapshotRoot.decode(id, ByteBuffer.wrap(valid));
    fuzz("SnapshotRoot", valid, r, b -> SnapshotRoot.decode(id, ByteBuffer.wrap(b)));
  }

  /**
   * Feeds {@link Mutations#PER_SEED} mutants of {@code valid} to {@code d}: a {@link
   * FormatException} (or a subclass: {@link SnapshotStructureException}, {@link
   * UnsafePathException}) is the one refusal allowed; anything else escapes and fails the property.
   */
  private static void fuzz(String name, byte[] valid, SplittableRandom r, Decoder d) {
    long start = System.nanoTime();
    for (int i = 0; i < Mutations.PER_SEED; i++) {
      byte[] mutant = Mutations.mutate(valid, r);
      long before = AllocationBound.allocatedBytes();
      decodeQuietly(d, mutant);
      AllocationBound.check(name, mutant.length, AllocationBound.allocatedBytes() - before);
    }
    TALLY.add(name, Mutations.PER_SEED, System.nanoTime() - start);
  }
}
