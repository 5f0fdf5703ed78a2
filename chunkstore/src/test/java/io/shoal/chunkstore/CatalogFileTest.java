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
          new CatalogEntry("b", 7, HashAlgorithm.SHA256.hash(new byte[] {2}), false, 0, -5));

  @Test
  void encodeDecode_roundTrips() throws Exception {
    assertThat(CatalogFile.decode(CatalogFile.encode(ENTRIES), "t")).isEqualTo(ENTRIES);
  }

  @Test
  void unknownVersion_isRefusedNamingIt() {
    byte[] b = CatalogFile.encode(ENTRIES);
    b[5] = 2;
    assertThatThrownBy(() -> CatalogFile.decode(b, "t"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("format version 2");
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
