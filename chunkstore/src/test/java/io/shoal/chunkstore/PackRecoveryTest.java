package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rebuilding a sealed pack's hint from the pack when records in it are damaged. */
class PackRecoveryTest {
  @TempDir Path tmp;
  private ChunkStore store;

  @AfterEach
  void close() throws IOException {
    if (store != null) {
      store.close();
    }
  }

  private Path dir() {
    return tmp.resolve("store");
  }

  /** Ten chunks in sealed pack 1 (the newest pack), and a catalog entry. */
  private List<VerifiedChunk> fillOnePack() throws IOException {
    store = ChunkStore.open(dir(), DiskChunkStoreTest.smallPacks());
    List<VerifiedChunk> chunks = new ArrayList<>();
    try (ChunkBatch batch = store.newBatch()) {
      for (int i = 0; i < 10; i++) {
        VerifiedChunk c = ChunkStoreContract.chunk(500 + i, 30_000 + i);
        chunks.add(c);
        batch.add(c);
      }
      batch.commit();
    }
    store.catalog().put(new CatalogEntry("n", 1, chunks.get(0).id(), true, 1, 1));
    return chunks;
  }

  /** {@link #fillOnePack()}, sealed by a reopen, then one more chunk in pack 2. */
  private List<VerifiedChunk> fillTwoPacks() throws IOException {
    List<VerifiedChunk> chunks = new ArrayList<>(fillOnePack());
    store.close();
    store = ChunkStore.open(dir(), DiskChunkStoreTest.smallPacks());
    VerifiedChunk later = ChunkStoreContract.chunk(900, 1000);
    store.put(later);
    chunks.add(later);
    return chunks;
  }

  private long payloadOffset(VerifiedChunk c) {
    return store.locate(c.id()).orElseThrow().offset();
  }

  private void reopenWithDamage(long at, int bytes) throws IOException {
    store.close();
    Path packs = dir().resolve("packs");
    DiskChunkStoreTest.flipByte(packs.resolve("00000001.hint"), 40);
    try (FileChannel ch =
        FileChannel.open(packs.resolve("00000001.pack"), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(bytes), at);
    }
    store = ChunkStore.open(dir(), DiskChunkStoreTest.smallPacks());
  }

  private void assertOnlyLost(List<VerifiedChunk> chunks, int lost) throws IOException {
    for (int i = 0; i < chunks.size(); i++) {
      VerifiedChunk c = chunks.get(i);
      if (i == lost) {
        assertThat(store.contains(c.id())).as("the damaged record").isFalse();
      } else {
        assertThat(store.read(c.id())).as("chunk %d", i).isEqualTo(c.bytes());
      }
    }
    assertThat(store.stats().chunkCount()).isEqualTo(chunks.size() - 1);
  }

  @Test
  @DisplayName(
      "a damaged hint plus one corrupt record in the middle of a pack loses only that record")
  void open_damagedHintAndCorruptPayload_losesOnlyThatRecord() throws Exception {
    List<VerifiedChunk> chunks = fillOnePack();
    reopenWithDamage(payloadOffset(chunks.get(4)) + 100, 8);
    assertOnlyLost(chunks, 4);
  }

  @Test
  @DisplayName(
      "a damaged hint plus one record whose header is wiped: the scan finds the next record")
  void open_damagedHintAndWipedHeader_resyncsOnTheNextRecord() throws Exception {
    List<VerifiedChunk> chunks = fillOnePack();
    reopenWithDamage(payloadOffset(chunks.get(5)) - PackRecord.HEADER_BYTES, 100);
    assertOnlyLost(chunks, 5);
    assertThat(store.catalog().entries()).hasSize(1);
  }

  @Test
  void open_damagedHintAndWipedLastRecord_keepsEveryEarlierOne() throws Exception {
    List<VerifiedChunk> chunks = fillOnePack();
    long start = payloadOffset(chunks.get(9)) - PackRecord.HEADER_BYTES;
    reopenWithDamage(start, PackRecord.HEADER_BYTES + chunks.get(9).length());
    assertOnlyLost(chunks, 9);
  }

  @Test
  void open_sealedPackWithoutHintAndACorruptRecord_losesOnlyThatRecord() throws Exception {
    List<VerifiedChunk> chunks = fillTwoPacks();
    long at = payloadOffset(chunks.get(2)) + 7;
    store.close();
    Path packs = dir().resolve("packs");
    Files.delete(packs.resolve("00000001.hint"));
    DiskChunkStoreTest.flipByte(packs.resolve("00000001.pack"), at);
    store = ChunkStore.open(dir(), DiskChunkStoreTest.smallPacks());
    assertOnlyLost(chunks, 2);
  }
}
