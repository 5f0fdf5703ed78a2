package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.testing.TestData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FastCdcTest {

  static List<Integer> chunk(FastCdc cdc, byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    List<Integer> lengths = new ArrayList<>();
    for (int at = 0; at < data.length; ) {
      int n = cdc.nextChunkLength(b, at, data.length - at);
      lengths.add(n);
      at += n;
    }
    return lengths;
  }

  @Test
  void defaults_goldenBoundaries_neverChange() {
    // Boundaries decide which chunks two machines share; they must be identical everywhere.
    byte[] data = new byte[1 << 20];
    new SplittableRandom(42).nextBytes(data);
    assertThat(chunk(FastCdc.defaults(), data))
        .containsExactly(
            88404, 68711, 60272, 80191, 95415, 71487, 70186, 77712, 116531, 106346, 67519, 69605,
            66143, 10054);
  }

  @Test
  void nextChunkLength_respectsMinAndMax() {
    FastCdc cdc = FastCdc.of(1024, 4096, 16384);
    List<Integer> lengths = chunk(cdc, TestData.randomBytes(1, 4 << 20));
    for (int i = 0; i < lengths.size() - 1; i++) {
      assertThat(lengths.get(i)).isBetween(1025, 16384);
    }
  }

  @Test
  void nextChunkLength_uniformBytes_cutsAtMax() {
    FastCdc cdc = FastCdc.defaults();
    List<Integer> lengths = chunk(cdc, new byte[1 << 20]);
    assertThat(lengths).allMatch(n -> n == cdc.maxBytes() || n == (1 << 20) % cdc.maxBytes());
  }

  @Test
  void nextChunkLength_shortTail_returnsWhatIsLeft() {
    byte[] data = TestData.randomBytes(3, 100);
    assertThat(FastCdc.defaults().nextChunkLength(ByteBuffer.wrap(data), 0, 100)).isEqualTo(100);
  }

  @Test
  void meanChunk_onRandomData_isNearAverage() {
    List<Integer> lengths = chunk(FastCdc.defaults(), TestData.randomBytes(5, 64 << 20));
    double mean = (64 << 20) / (double) lengths.size();
    assertThat(mean).isBetween(60_000.0, 90_000.0);
  }

  @Test
  void of_badSizes_explains() {
    assertThatThrownBy(() -> FastCdc.of(16, 64, 256)).hasMessageContaining("64 <= min");
    assertThatThrownBy(() -> FastCdc.of(1024, 3000, 9000)).hasMessageContaining("power of two");
    assertThatThrownBy(() -> FastCdc.of(1024, 4096, 8 << 20)).hasMessageContaining("max");
  }
}
