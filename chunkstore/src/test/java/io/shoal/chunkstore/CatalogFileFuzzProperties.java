package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.testing.AllocationBound;
import io.shoal.testing.FuzzTally;
import io.shoal.testing.Mutations;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The catalog file is read back from disk, and its entries came from peers: mutants of valid
 * catalogs (random entries, signed and unsigned, written by the real encoder) decode to entries or
 * fail with a {@link FormatException}, never another exception, and allocate at most {@link
 * AllocationBound}'s bound. Most mutants of the whole file fail its checksum, so half the mutants
 * mutate the body and carry a recomputed checksum, which reaches the entry decoding. {@code
 * -Dshoal.fuzz.mutants=N} sets the mutants per valid catalog ({@code bench/fuzz.sh} runs more).
 */
class CatalogFileFuzzProperties {
  private static final FuzzTally TALLY = new FuzzTally();

  @AfterContainer
  static void printTally() {
    TALLY.summary().forEach(System.out::println);
  }

  static List<CatalogEntry> entries(SplittableRandom r) {
    List<CatalogEntry> out = new ArrayList<>();
    for (int i = r.nextInt(8); i > 0; i--) {
      HashAlgorithm algorithm = r.nextBoolean() ? HashAlgorithm.XXH128 : HashAlgorithm.SHA256;
      CatalogEntry e =
          new CatalogEntry(
              "snap-" + r.nextInt(100),
              r.nextLong(1, Long.MAX_VALUE),
              new ChunkId(algorithm, r.nextLong(), r.nextLong()),
              r.nextBoolean(),
              r.nextLong(0, Long.MAX_VALUE),
              r.nextLong());
      out.add(r.nextBoolean() ? e : e.withProvenance(provenance(r)));
    }
    return out;
  }

  private static Provenance provenance(SplittableRandom r) {
    byte[] publisher = new byte[16];
    r.nextBytes(publisher);
    byte[] signature = new byte[1 + r.nextInt(Provenance.MAX_SIGNATURE_BYTES)];
    r.nextBytes(signature);
    byte[] credential = new byte[r.nextInt(r.nextBoolean() ? 64 : Provenance.MAX_CREDENTIAL_BYTES)];
    r.nextBytes(credential);
    return Provenance.of(HexFormat.of().formatHex(publisher), signature, credential);
  }

  /** {@code body} followed by its CRC32C, as the encoder ends a catalog file. */
  static byte[] sealed(byte[] body) {
    CRC32C crc = new CRC32C();
    crc.update(body);
    return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
  }

  @Property(tries = 200)
  void catalogs_mutated_decodeOrFormatException(@ForAll long seed) throws FormatException {
    SplittableRandom r = new SplittableRandom(seed);
    List<CatalogEntry> entries = entries(r);
    byte[] valid = CatalogFile.encode(entries);
    assertThat(CatalogFile.decode(valid, "valid")).isEqualTo(entries);
    byte[] body = Arrays.copyOf(valid, valid.length - 4);
    long start = System.nanoTime();
    for (int i = 0; i < Mutations.PER_SEED; i++) {
      byte[] mutant =
          r.nextBoolean() ? sealed(Mutations.mutate(body, r)) : Mutations.mutate(valid, r);
      long before = AllocationBound.allocatedBytes();
      try {
        CatalogFile.decode(mutant, "fuzz");
      } catch (FormatException expected) {
        // The one refusal allowed.
      }
      AllocationBound.check(
          "CatalogFile", mutant.length, AllocationBound.allocatedBytes() - before);
    }
    TALLY.add("CatalogFile", Mutations.PER_SEED, System.nanoTime() - start);
  }
}
