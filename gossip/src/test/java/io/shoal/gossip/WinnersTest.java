package io.shoal.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WinnersTest {
  static final NodeId A = new NodeId(0, 1);
  static final NodeId B = new NodeId(0, 2);
  static final ChunkId LOW = new ChunkId(HashAlgorithm.XXH128, 1, 0);
  static final ChunkId HIGH = new ChunkId(HashAlgorithm.XXH128, -1, 0);

  static CatalogValue held(HeldVersion... v) {
    return new CatalogValue(List.of(v));
  }

  @Test
  void highestVersionWins() {
    var w =
        Winners.of(
            Map.of(
                A, Map.of("n", held(new HeldVersion(3, HIGH, true, 1, A, Signature.NONE))),
                B, Map.of("n", held(new HeldVersion(4, LOW, false, 1, A, Signature.NONE)))));
    assertThat(w.get("n").version()).isEqualTo(4);
    assertThat(w.get("n").partialHolders()).containsExactly(B);
    assertThat(w.get("n").completeHolders()).isEmpty();
  }

  @Test
  void equalVersions_greaterRootWins_onEveryNode() {
    var w =
        Winners.of(
            Map.of(
                A, Map.of("n", held(new HeldVersion(5, LOW, true, 1, A, Signature.NONE))),
                B, Map.of("n", held(new HeldVersion(5, HIGH, true, 1, A, Signature.NONE)))));
    assertThat(w.get("n").root()).isEqualTo(HIGH);
    assertThat(w.get("n").completeHolders()).containsExactly(B);
    assertThat(Winners.beats(5, HIGH, 5, LOW)).isTrue();
    assertThat(Winners.beats(5, LOW, 5, HIGH)).isFalse();
  }
}
