package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.testing.TestData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link ChunkStore} promises, run against each implementation. */
abstract class ChunkStoreContract {
  protected ChunkStore store;

  abstract ChunkStore newStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  static VerifiedChunk chunk(long seed, int size) {
    return VerifiedChunk.hash(HashAlgorithm.XXH128, TestData.randomBytes(seed, size));
  }

  @Test
  void put_thenRead_returnsTheBytes() throws Exception {
    VerifiedChunk c = chunk(1, 10_000);
    assertThat(store.put(c)).isTrue();
    assertThat(store.contains(c.id())).isTrue();
    assertThat(store.length(c.id())).isEqualTo(10_000);
    ByteBuffer b = store.read(c.id());
    assertThat(b.isReadOnly()).isTrue();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    assertThat(out).isEqualTo(c.toByteArray());
  }

  @Test
  void put_twice_storesOnce() throws Exception {
    VerifiedChunk c = chunk(2, 1000);
    assertThat(store.put(c)).isTrue();
    assertThat(store.put(c)).isFalse();
    assertThat(store.stats().chunkCount()).isEqualTo(1);
    assertThat(store.stats().chunkBytes()).isEqualTo(1000);
  }

  @Test
  void batch_isInvisibleUntilCommit() throws Exception {
    VerifiedChunk c = chunk(3, 5000);
    try (ChunkBatch batch = store.newBatch()) {
      assertThat(batch.add(c)).isTrue();
      assertThat(batch.add(c)).isFalse();
      assertThat(store.contains(c.id())).isFalse();
      batch.commit();
      assertThat(store.contains(c.id())).isTrue();
      assertThat(batch.addedChunks()).isEqualTo(1);
      assertThat(batch.addedBytes()).isEqualTo(5000);
    }
  }

  @Test
  void addAll_skipsWhatTheStoreOrTheListAlreadyHas() throws Exception {
    VerifiedChunk held = chunk(20, 3000);
    store.put(held);
    VerifiedChunk a = chunk(21, 4000);
    VerifiedChunk b = chunk(22, 5000);
    try (ChunkBatch batch = store.newBatch()) {
      assertThat(batch.addAll(List.of(a, held, b, a))).isEqualTo(2);
      assertThat(batch.addedBytes()).isEqualTo(9000);
      assertThat(store.contains(a.id())).isFalse();
      batch.commit();
    }
    for (VerifiedChunk c : List.of(a, b, held)) {
      ByteBuffer read = store.read(c.id());
      assertThat(read).isEqualTo(c.bytes());
    }
    assertThat(store.stats().chunkCount()).isEqualTo(3);
  }

  @Test
  void batch_closedWithoutCommit_abandonsChunks() throws Exception {
    VerifiedChunk c = chunk(4, 5000);
    try (ChunkBatch batch = store.newBatch()) {
      batch.add(c);
    }
    assertThat(store.contains(c.id())).isFalse();
    assertThatThrownBy(() -> store.read(c.id())).isInstanceOf(ChunkNotFoundException.class);
  }

  @Test
  void readInto_fillsAtPosition() throws Exception {
    VerifiedChunk c = chunk(5, 3000);
    store.put(c);
    ByteBuffer dst = ByteBuffer.allocate(4000).position(100);
    assertThat(store.readInto(c.id(), dst)).isEqualTo(3000);
    assertThat(dst.position()).isEqualTo(3100);
    byte[] out = new byte[3000];
    dst.flip().position(100);
    dst.get(out);
    assertThat(out).isEqualTo(c.toByteArray());
    assertThatThrownBy(() -> store.readInto(c.id(), ByteBuffer.allocate(10)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void emptyChunk_isAChunkLikeAnyOther() throws Exception {
    VerifiedChunk empty = VerifiedChunk.hash(HashAlgorithm.XXH128, new byte[0]);
    store.put(empty);
    assertThat(store.read(empty.id()).remaining()).isZero();
  }

  @Test
  void retainOnly_dropsTheRest() throws Exception {
    List<VerifiedChunk> chunks = new ArrayList<>();
    try (ChunkBatch batch = store.newBatch()) {
      for (int i = 0; i < 50; i++) {
        VerifiedChunk c = chunk(100 + i, 2000 + i);
        chunks.add(c);
        batch.add(c);
      }
      batch.commit();
    }
    Set<ChunkId> keep = new HashSet<>();
    long dropped = 0;
    for (int i = 0; i < chunks.size(); i++) {
      if (i % 3 == 0) {
        keep.add(chunks.get(i).id());
      } else {
        dropped += chunks.get(i).length();
      }
    }
    assertThat(store.retainOnly(keep::contains)).isEqualTo(dropped);
    for (VerifiedChunk c : chunks) {
      assertThat(store.contains(c.id())).isEqualTo(keep.contains(c.id()));
    }
    for (ChunkId id : keep) {
      assertThat(store.read(id).remaining()).isPositive();
    }
    assertThat(store.stats().chunkCount()).isEqualTo(keep.size());
  }

  @Test
  void forEachId_listsVisibleChunks() throws Exception {
    VerifiedChunk a = chunk(7, 100);
    VerifiedChunk b = chunk(8, 100);
    store.put(a);
    store.put(b);
    List<ChunkId> ids = new ArrayList<>();
    store.forEachId(ids::add);
    assertThat(ids).containsExactlyInAnyOrder(a.id(), b.id());
  }

  @Test
  void catalog_putGetLatestRemove() throws Exception {
    ChunkId root = chunk(9, 10).id();
    Catalog c = store.catalog();
    c.put(new CatalogEntry("orders", 1, root, true, 10, 1000));
    c.put(new CatalogEntry("orders", 2, root, false, 10, 2000));
    assertThat(c.latest("orders").orElseThrow().version()).isEqualTo(2);
    assertThat(c.latestComplete("orders").orElseThrow().version()).isEqualTo(1);
    assertThat(c.remove("orders", 2)).isTrue();
    assertThat(c.versions("orders")).hasSize(1);
    assertThat(c.latest("missing")).isEmpty();
  }
}
