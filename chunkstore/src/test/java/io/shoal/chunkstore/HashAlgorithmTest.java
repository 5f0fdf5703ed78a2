package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;

class HashAlgorithmTest {

  @Test
  void xxh128_isXxh64UnderTwoSeeds() {
    byte[] data = TestData.randomBytes(7, 100_000);
    var xxh64 = XXHashFactory.safeInstance().hash64();
    ChunkId id = HashAlgorithm.XXH128.hash(data);
    assertThat(id.high())
        .isEqualTo(xxh64.hash(data, 0, data.length, HashAlgorithm.XXH128_SEED_HIGH));
    assertThat(id.low()).isEqualTo(xxh64.hash(data, 0, data.length, HashAlgorithm.XXH128_SEED_LOW));
  }

  @Test
  void hash_knownVectors_neverChange() {
    // Ids are part of every persistent format: these values must hold on every machine forever.
    assertThat(HashAlgorithm.XXH128.hash(new byte[0]).toHex())
        .isEqualTo("278ab9125b66db92b28666b87399df0d");
    assertThat(HashAlgorithm.XXH128.hash("shoal".getBytes(StandardCharsets.UTF_8)).toHex())
        .isEqualTo("b42fe877c1854458c41798efcd7962ad");
    assertThat(HashAlgorithm.SHA256.hash(new byte[0]).toHex())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb924");
  }

  @Test
  void hash_heapDirectAndReadOnlyBuffers_agree() {
    byte[] data = TestData.randomBytes(8, 70_000);
    for (HashAlgorithm a : HashAlgorithm.values()) {
      ChunkId expected = a.hash(data, 5, 60_000);
      ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
      direct.position(5).limit(60_005);
      assertThat(a.hash(direct)).isEqualTo(expected);
      assertThat(direct.position()).isEqualTo(5);
      ByteBuffer readOnly = ByteBuffer.wrap(data, 5, 60_000).asReadOnlyBuffer();
      assertThat(a.hash(readOnly)).isEqualTo(expected);
    }
  }

  @Test
  void parse_taggedAndPlain_roundTrip() {
    ChunkId x = HashAlgorithm.XXH128.hash(new byte[] {1, 2, 3});
    ChunkId s = HashAlgorithm.SHA256.hash(new byte[] {1, 2, 3});
    assertThat(ChunkId.parse(x.toHex())).isEqualTo(x);
    assertThat(ChunkId.parse(x.toTaggedString())).isEqualTo(x);
    assertThat(ChunkId.parse(s.toTaggedString())).isEqualTo(s);
    assertThat(ChunkId.parse(s.toHex())).isNotEqualTo(s);
    assertThat(x.toHex()).matches("[0-9a-f]{32}");
  }

  @Test
  void parse_garbage_namesTheText() {
    assertThatThrownBy(() -> ChunkId.parse("xyz")).hasMessageContaining("'xyz'");
    assertThatThrownBy(() -> ChunkId.parse("g".repeat(32))).hasMessageContaining("32 hex");
    assertThatThrownBy(() -> ChunkId.parse("md5:" + "0".repeat(32))).hasMessageContaining("md5");
  }

  @Test
  void fromCode_unknown_isFormatError() {
    assertThatThrownBy(() -> HashAlgorithm.fromCode(9))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("9");
  }

  @Test
  void compareTo_ordersByAlgorithmThenUnsignedDigest() {
    ChunkId small = new ChunkId(HashAlgorithm.XXH128, 1, 0);
    ChunkId negative = new ChunkId(HashAlgorithm.XXH128, -1, 0);
    ChunkId sha = new ChunkId(HashAlgorithm.SHA256, 0, 0);
    assertThat(small).isLessThan(negative);
    assertThat(negative).isLessThan(sha);
  }
}
