package io.shoal.node.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ChunkBitmapTest {
  @Test
  void fromRuns_maxLengthAllPresent_holdsOneRunNotABitPerIndex() {
    ChunkBitmap b = ChunkBitmap.fromRuns(ChunkBitmap.MAX_BITS, new int[] {0, ChunkBitmap.MAX_BITS});
    assertThat(b.presentRuns()).isEqualTo(1);
    assertThat(b.cardinality()).isEqualTo(ChunkBitmap.MAX_BITS);
    assertThat(b.get(ChunkBitmap.MAX_BITS - 1)).isTrue();
  }

  @Test
  void fromRuns_pastLength_refused() {
    assertThatThrownBy(() -> ChunkBitmap.fromRuns(10, new int[] {5, 6}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChunkBitmap.fromRuns(ChunkBitmap.MAX_BITS + 1, new int[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fromRuns_negativeRunOrLength_refused() {
    // Within the length in sum, so only the sign check catches it: it would make a run from -1.
    assertThatThrownBy(() -> ChunkBitmap.fromRuns(10, new int[] {-1, 11}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChunkBitmap.fromRuns(-1, new int[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 300)
  void of_anyBits_roundTripsThroughRuns(
      @ForAll @Size(max = 64) java.util.List<@IntRange(min = 0, max = 999) Integer> set) {
    BitSet bits = new BitSet();
    set.forEach(bits::set);
    ChunkBitmap b = ChunkBitmap.of(bits, 1000);
    assertThat(b.toBitSet()).isEqualTo(bits);
    assertThat(b.cardinality()).isEqualTo(bits.cardinality());
    for (int i = 0; i < 1000; i++) {
      assertThat(b.get(i)).isEqualTo(bits.get(i));
    }
    ChunkBitmap back = ChunkBitmap.fromRuns(1000, b.runs());
    assertThat(back).isEqualTo(b);
    int sum = 0;
    for (int r : b.runs()) {
      sum += r;
    }
    assertThat(sum).isEqualTo(1000);
  }
}
