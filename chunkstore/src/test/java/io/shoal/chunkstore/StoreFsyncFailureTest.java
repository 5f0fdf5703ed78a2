package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An fsync that fails, injected through the store's fsync seam, does what Linux does on a
 * write-back error: the unsynced bytes are gone (here: zeroed) and the next fsync succeeds. The
 * store must never report those bytes durable.
 */
class StoreFsyncFailureTest {
  @TempDir Path tmp;
  private ChunkStore store;

  /** Fails the next fsync once, losing every byte after the last good fsync, then succeeds. */
  private static final class FlakyDisk implements StoreHealth.Fsync {
    final AtomicBoolean armed = new AtomicBoolean();
    private long durableBytes;

    @Override
    public synchronized void force(FileChannel channel, boolean metaData) throws IOException {
      if (armed.compareAndSet(true, false)) {
        long size = channel.size();
        channel.write(ByteBuffer.allocate((int) (size - durableBytes)), durableBytes);
        throw new IOException("Input/output error (injected)");
      }
      channel.force(metaData);
      durableBytes = channel.size();
    }
  }

  @AfterEach
  void close() throws IOException {
    if (store != null) {
      store.close();
    }
  }

  private Path dir() {
    return tmp.resolve("store");
  }

  @Test
  @DisplayName("a failed fsync: the batch is not acknowledged, later writes are refused, reopen")
  void commit_fsyncFails_refusesThisAndEveryLaterWriteUntilReopened() throws Exception {
    FlakyDisk disk = new FlakyDisk();
    store = DiskChunkStore.open(dir(), DiskChunkStoreTest.smallPacks(), disk);
    VerifiedChunk before = ChunkStoreContract.chunk(1, 20_000);
    store.put(before);

    disk.armed.set(true);
    VerifiedChunk lost = ChunkStoreContract.chunk(2, 20_000);
    try (ChunkBatch batch = store.newBatch()) {
      batch.add(lost);
      assertThatThrownBy(batch::commit)
          .isInstanceOf(StoreFailedException.class)
          .hasMessageContaining("fsync of 00000001.pack failed")
          .hasMessageContaining("Input/output error (injected)");
    }
    assertThat(store.contains(lost.id())).as("not acknowledged, not visible").isFalse();
    assertThat(store.failure()).get().asString().contains("00000001.pack");

    // The disk now fsyncs fine again: exactly the case where trusting it would lose data.
    VerifiedChunk after = ChunkStoreContract.chunk(3, 20_000);
    assertThatThrownBy(() -> store.put(after))
        .isInstanceOf(StoreFailedException.class)
        .hasMessageContaining("refuses writes");
    try (ChunkBatch batch = store.newBatch()) {
      assertThatThrownBy(() -> batch.add(after)).isInstanceOf(StoreFailedException.class);
      assertThatThrownBy(batch::commitVisible).isInstanceOf(StoreFailedException.class);
    }
    assertThatThrownBy(store::sync).isInstanceOf(StoreFailedException.class);
    assertThatThrownBy(() -> store.catalog().put(new CatalogEntry("n", 1, before.id(), true, 1, 1)))
        .isInstanceOf(StoreFailedException.class);
    assertThatThrownBy(() -> store.retainOnly(id -> true)).isInstanceOf(StoreFailedException.class);
    assertThat(store.read(before.id())).isEqualTo(before.bytes());
    store.close();

    store = ChunkStore.open(dir(), DiskChunkStoreTest.smallPacks());
    assertThat(store.failure()).isEmpty();
    assertThat(store.read(before.id())).isEqualTo(before.bytes());
    assertThat(store.contains(lost.id())).isFalse();
    assertThat(store.contains(after.id())).isFalse();
    assertThat(store.stats().chunkCount()).isEqualTo(1);
    assertThat(store.put(after)).as("a reopened store accepts writes").isTrue();
  }

  @Test
  @DisplayName("a failed background fsync fails the store although the next fsync succeeds")
  void writeback_fsyncFails_nextCommitIsRefused() throws Exception {
    FlakyDisk disk = new FlakyDisk();
    store =
        DiskChunkStore.open(
            dir(), DiskChunkStoreTest.smallPacks().withPackTargetBytes(64 << 20), disk);
    List<VerifiedChunk> written = new ArrayList<>();
    // Past writebackBytes (32 MiB): the background fsync runs, fails, and is not retried. It runs
    // on its own thread, so it may fail the store before the batch is done: then add or
    // commitVisible refuses with the same failure, which is as right as failing afterwards.
    try (ChunkBatch batch = store.newBatch()) {
      for (int i = 0; i < 40; i++) {
        VerifiedChunk c = ChunkStoreContract.chunk(100 + i, 1 << 20);
        written.add(c);
        batch.add(c);
        if (i == 0) {
          disk.armed.set(true); // once the pack exists: creating it fsyncs too
        }
      }
      batch.commitVisible();
    } catch (StoreFailedException refusedMidBatch) {
      assertThat(refusedMidBatch)
          .hasMessageContaining("fsync of 00000001.pack failed")
          .hasMessageContaining("Input/output error (injected)");
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> store.failure().isPresent());
    assertThat(store.failure()).get().asString().contains("00000001.pack");
    assertThatThrownBy(store::sync).isInstanceOf(StoreFailedException.class);
    assertThatThrownBy(() -> store.put(ChunkStoreContract.chunk(1, 1000)))
        .isInstanceOf(StoreFailedException.class);
    store.close();

    store = ChunkStore.open(dir(), DiskChunkStoreTest.smallPacks());
    for (VerifiedChunk c : written) {
      assertThat(store.contains(c.id())).as("lost to the failed fsync").isFalse();
    }
  }
}
