package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChunkIndexTest {

  private static ChunkId id(SplittableRandom r, HashAlgorithm a) {
    return new ChunkId(a, r.nextLong(), r.nextLong());
  }

  @Test
  void randomOperations_matchAMapModel() {
    SplittableRandom r = new SplittableRandom(11);
    ChunkIndex index = new ChunkIndex();
    Map<ChunkId, ChunkIndex.Location> model = new HashMap<>();
    List<ChunkId> ids = new ArrayList<>();
    for (int step = 0; step < 200_000; step++) {
      int op = r.nextInt(10);
      if (op < 6 || ids.isEmpty()) {
        ChunkId id = id(r, r.nextBoolean() ? HashAlgorithm.XXH128 : HashAlgorithm.SHA256);
        var loc =
            new ChunkIndex.Location(r.nextInt(1, 100), r.nextLong(1L << 39), r.nextInt(1 << 20));
        index.put(id, loc.pack(), loc.offset(), loc.length());
        model.put(id, loc);
        ids.add(id);
      } else if (op < 8) {
        ChunkId id = ids.get(r.nextInt(ids.size()));
        ChunkIndex.Location loc = model.get(id);
        boolean removed = loc != null && index.removeIfIn(id, loc.pack());
        assertThat(removed).isEqualTo(loc != null);
        model.remove(id);
      } else {
        ChunkId id = ids.get(r.nextInt(ids.size()));
        assertThat(index.get(id)).isEqualTo(model.get(id));
      }
    }
    assertThat(index.size()).isEqualTo(model.size());
    long bytes = model.values().stream().mapToLong(ChunkIndex.Location::length).sum();
    assertThat(index.payloadBytes()).isEqualTo(bytes);
    for (var e : model.entrySet()) {
      assertThat(index.get(e.getKey())).isEqualTo(e.getValue());
    }
    List<ChunkId> listed = new ArrayList<>();
    index.forEach(listed::add);
    assertThat(listed).hasSize(model.size());
    assertThat(new java.util.HashSet<>(listed)).isEqualTo(model.keySet());
  }

  @Test
  void removeIfIn_otherPack_keepsEntry() {
    ChunkIndex index = new ChunkIndex();
    ChunkId id = new ChunkId(HashAlgorithm.XXH128, 1, 2);
    index.put(id, 3, 100, 10);
    assertThat(index.removeIfIn(id, 4)).isFalse();
    assertThat(index.contains(id)).isTrue();
    index.put(id, 4, 200, 10);
    assertThat(index.get(id)).isEqualTo(new ChunkIndex.Location(4, 200, 10));
    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void sameDigestDifferentAlgorithm_areDifferentChunks() {
    ChunkIndex index = new ChunkIndex();
    index.put(new ChunkId(HashAlgorithm.XXH128, 5, 5), 1, 16, 1);
    assertThat(index.contains(new ChunkId(HashAlgorithm.SHA256, 5, 5))).isFalse();
  }
}
