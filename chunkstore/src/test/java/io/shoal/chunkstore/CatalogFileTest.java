package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CatalogFileTest {
  static final List<CatalogEntry> ENTRIES =
      List.of(
          new CatalogEntry("a", 1, HashAlgorithm.XXH128.hash(new byte[] {1}), true, 10, 100),
          new CatalogEntry("b", 7, HashAlgorithm.SHA256.hash(new byte[] {2}), false, 0, -5),
          new CatalogEntry(
              "c",
              3,
              HashAlgorithm.SHA256.hash(new byte[] {3}),
              true,
              5,
              9,
              Provenance.of("0123456789abcdef0123456789abcdef", new byte[64], new byte[300])));

  @Test
  void encodeDecode_roundTrips() throws Exception {
    assertThat(CatalogFile.decode(CatalogFile.encode(ENTRIES), "t")).isEqualTo(ENTRIES);
  }

  @Test
  void unknownVersion_isRefusedNamingIt() {
    byte[] b = CatalogFile.encode(ENTRIES);
    b[5] = 3;
    assertThatThrownBy(() -> CatalogFile.decode(b, "t"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("format version 3");
  }

  @Test
  void versionOneFile_isReadAsUnsignedEntries() throws Exception {
    // Version 1 as it was written before provenance: magic, version, reserved, count, entries
    // without the provenance byte, then the CRC32C of all that.
    FormatWriter w = new FormatWriter(64).u32(CatalogFile.MAGIC).u16(1).u16(0).u32(1);
    ChunkId root = HashAlgorithm.XXH128.hash(new byte[] {1});
    w.utf8u16("a").u64(1).u8(root.algorithm().code()).chunkId(root).u8(0).u64(10).u64(100);
    byte[] body = w.toByteArray();
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(body);
    byte[] file = new FormatWriter(body.length + 4).bytes(body).u32(crc.getValue()).toByteArray();
    assertThat(CatalogFile.decode(file, "t"))
        .containsExactly(new CatalogEntry("a", 1, root, true, 10, 100));
  }

  @Property(tries = 1000)
  void anyFlippedByte_isDetected(
      @ForAll @IntRange(min = 0, max = 1000) int at,
      @ForAll @IntRange(min = 1, max = 255) int xor) {
    byte[] b = CatalogFile.encode(ENTRIES);
    b[at % b.length] ^= (byte) xor;
    try {
      CatalogFile.decode(b, "t");
      throw new AssertionError("a damaged catalog was accepted");
    } catch (FormatException expected) {
      // The checksum or a bound catches it.
    }
  }
}
