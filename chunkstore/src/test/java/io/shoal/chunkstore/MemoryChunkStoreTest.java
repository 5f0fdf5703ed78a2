package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryChunkStoreTest extends ChunkStoreContract {
  @Override
  ChunkStore newStore() {
    return ChunkStore.inMemory(64L << 20);
  }

  @Test
  void add_pastCapacity_refusesAndKeepsWhatItHad() throws Exception {
    try (ChunkStore small = ChunkStore.inMemory(10_000)) {
      VerifiedChunk a = chunk(1, 6000);
      small.put(a);
      assertThatThrownBy(() -> small.put(chunk(2, 6000))).isInstanceOf(StoreFullException.class);
      assertThat(small.contains(a.id())).isTrue();
      assertThat(small.stats().chunkBytes()).isEqualTo(6000);
    }
  }
}
