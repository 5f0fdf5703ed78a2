package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.snapshot.LeafCursor;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.chunkstore.snapshot.PublishRequest;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.chunkstore.snapshot.SnapshotWriter;
import io.shoal.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing data chunks straight into the files a one-shot fetch materializes. */
class DirectOutputTest {
  static final int SIZE = 16 << 20;
  static final int ROUNDS = 12;

  @TempDir Path tmp;

  @Test
  void duplicateReply_returnsOnlyOnceTheFirstCopyIsWritten() throws Exception {
    byte[] data = TestData.randomBytes(3, SIZE);
    ChunkId chunk =
        HashAlgorithm.XXH128.hash(
            "the one chunk".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      SnapshotReader reader = new SnapshotReader(store);
      SnapshotRoot root = published(store, reader, data);
      for (int round = 0; round < ROUNDS; round++) {
        Path dest = tmp.resolve("out" + round);
        try (DirectOutput out = new DirectOutput(dest, Materializer.Options.defaults())) {
          out.open(root, reader.fileTable(root));
          out.place(chunk, List.of(0L)); // the whole file as one "chunk": a long write
          CyclicBarrier both = new CyclicBarrier(2);
          CompletableFuture<Void> first = write(pool, both, out, chunk, data);
          CompletableFuture<Void> second = write(pool, both, out, chunk, data);
          // Either copy may be "the duplicate"; the one that returns first counts the chunk done,
          // and the fetch may then commit at once.
          CompletableFuture.anyOf(first, second).get();
          out.commit();
          CompletableFuture.allOf(first, second).get();
        }
        assertThat(Files.mismatch(dest, writeFile(tmp.resolve("want"), data))).isEqualTo(-1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aMirror_takesWhatArrives_andFillsTheRestFromTheStore() throws Exception {
    byte[] data = TestData.randomBytes(4, 4 << 20);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      SnapshotReader reader = new SnapshotReader(store);
      SnapshotRoot root = published(store, reader, data);
      Path dest = tmp.resolve("mirror.bin");
      try (DirectOutput out = new DirectOutput(dest, Materializer.Options.defaults())) {
        assertThat(out.fillFrom(store)).as("never opened: nothing written").isFalse();
        out.open(root, reader.fileTable(root));
        List<ChunkId> ids = placeAll(out, reader, root);
        assertThat(ids).hasSizeGreaterThan(2);
        long arrived = 0;
        for (int i = 0; i < ids.size(); i += 2) { // every other chunk "arrives"; the rest is held
          ByteBuffer bytes = store.read(ids.get(i));
          arrived += bytes.remaining();
          out.mirror(ids.get(i), bytes);
          out.mirror(ids.get(i), store.read(ids.get(i))); // a duplicate counts once
        }

        assertThat(out.fillFrom(store)).isTrue();
        out.commit();
        assertThat(out.mirroredBytes()).isEqualTo(arrived).isLessThan(data.length);
      }
      assertThat(Files.mismatch(dest, writeFile(tmp.resolve("want"), data))).isEqualTo(-1);
    }
  }

  @Test
  void heldChunks_areCopiedInTheBackground_andFillFromWaitsForThemAndFillsTheRest()
      throws Exception {
    byte[] data = TestData.randomBytes(6, 8 << 20);
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      SnapshotReader reader = new SnapshotReader(store);
      SnapshotRoot root = published(store, reader, data);
      for (int round = 0; round < ROUNDS; round++) {
        Path dest = tmp.resolve("copied" + round);
        try (DirectOutput out = new DirectOutput(dest, Materializer.Options.defaults())) {
          out.open(root, reader.fileTable(root));
          // Every other chunk is held (copied in the background), the rest placed (as arriving).
          java.util.Set<ChunkId> held = new java.util.HashSet<>();
          LeafCursor leaves = new LeafCursor(reader, root.data(), 0);
          for (int i = 0; leaves.next(); i++) {
            if (i % 2 == 0) {
              held.add(leaves.id());
            } else {
              out.place(leaves.id(), List.of(leaves.offset()));
            }
          }
          assertThat(held).hasSizeGreaterThan(1);
          // Every other round the pool refuses the copy: it is then made on the spot, not lost.
          java.util.concurrent.Executor worker =
              round % 2 == 0
                  ? pool
                  : r -> {
                    throw new java.util.concurrent.RejectedExecutionException("full");
                  };
          out.copyHeld(reader, root, held, worker);
          assertThat(out.fillFrom(store)).isTrue(); // races the background copy
          out.commit();
          assertThat(out.mirroredBytes()).as("nothing arrived: all came from the store").isZero();
        }
        assertThat(Files.mismatch(dest, writeFile(tmp.resolve("want"), data))).isEqualTo(-1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aChunkTheStoreGainedAfterThePlan_isWrittenOnce() throws Exception {
    // The fetch's plan lists every chunk as missing; by the time the output opens, another fetch
    // has stored every other one, which the output copies from the store. The plan's placements
    // of those must not write them a second time.
    byte[] data = TestData.randomBytes(8, 8 << 20);
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      SnapshotReader reader = new SnapshotReader(store);
      SnapshotRoot root = published(store, reader, data);
      Path dest = tmp.resolve("gained.bin");
      try (DirectOutput out = new DirectOutput(dest, Materializer.Options.defaults())) {
        out.open(root, reader.fileTable(root));
        java.util.Set<ChunkId> held = new java.util.HashSet<>();
        java.util.Map<ChunkId, Long> all = new java.util.LinkedHashMap<>();
        LeafCursor leaves = new LeafCursor(reader, root.data(), 0);
        for (int i = 0; leaves.next(); i++) {
          all.put(leaves.id(), leaves.offset());
          if (i % 2 == 0) {
            held.add(leaves.id());
          }
        }
        assertThat(held).hasSizeGreaterThan(1);
        out.copyHeld(reader, root, held, pool);
        all.forEach((id, offset) -> out.place(id, List.of(offset)));
        for (ChunkId id : all.keySet()) {
          out.mirror(id, store.read(id)); // each arrives from a peer as well
        }

        assertThat(out.fillFrom(store)).isTrue();
        out.commit();
      }
      assertThat(Files.mismatch(dest, writeFile(tmp.resolve("want"), data))).isEqualTo(-1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aMirrorWhoseWriteFails_takesNothingMore_andItsOwnerGetsTheFailure() throws Exception {
    byte[] data = TestData.randomBytes(5, 1 << 20);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      SnapshotReader reader = new SnapshotReader(store);
      SnapshotRoot root = published(store, reader, data);
      DirectOutput out = new DirectOutput(tmp.resolve("gone.bin"), Materializer.Options.defaults());
      out.open(root, reader.fileTable(root));
      LeafCursor leaves = new LeafCursor(reader, root.data(), 0);
      assertThat(leaves.next()).isTrue();
      out.place(leaves.id(), List.of(leaves.offset()));
      out.close(); // abandoned, as when the restore gives up: a late chunk cannot be written

      out.mirror(leaves.id(), store.read(leaves.id())); // no exception: the fetch goes on

      assertThat(out.mirrorFailed()).isTrue();
      assertThat(out.mirroredBytes()).isZero();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> out.fillFrom(store))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("abandoned");
      try (var left = Files.list(tmp)) {
        assertThat(left).isEmpty();
      }
    }
  }

  @Test
  void aMirrorWithAWriter_holdsEachChunkUntilWritten_andFillFromWaitsForTheWriter()
      throws Exception {
    byte[] data = TestData.randomBytes(9, 8 << 20);
    ExecutorService writer = Executors.newSingleThreadExecutor();
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.Executor gated =
        r ->
            writer.execute(
                () -> {
                  try {
                    gate.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  r.run();
                });
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      SnapshotReader reader = new SnapshotReader(store);
      SnapshotRoot root = published(store, reader, data);
      Path dest = tmp.resolve("written-behind.bin");
      try (DirectOutput out = new DirectOutput(dest, Materializer.Options.defaults(), gated)) {
        out.open(root, reader.fileTable(root));
        List<ChunkId> ids = placeAll(out, reader, root);
        java.util.concurrent.atomic.AtomicInteger released =
            new java.util.concurrent.atomic.AtomicInteger();
        for (ChunkId id : ids) {
          out.mirror(id, store.read(id), released::incrementAndGet);
        }
        assertThat(released).as("every chunk held for the writer").hasValue(0);
        assertThat(out.mirroredBytes()).isZero();

        CompletableFuture<Boolean> filled = CompletableFuture.supplyAsync(() -> fill(out, store));
        org.awaitility.Awaitility.await()
            .during(java.time.Duration.ofMillis(300))
            .atMost(java.time.Duration.ofSeconds(5))
            .until(() -> !filled.isDone());
        gate.countDown();

        assertThat(filled.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(released).as("each freed once written").hasValue(ids.size());
        assertThat(out.mirroredBytes()).as("all written as it arrived").isEqualTo(data.length);
        out.commit();
      }
      assertThat(Files.mismatch(dest, writeFile(tmp.resolve("want"), data))).isEqualTo(-1);
    } finally {
      writer.shutdownNow();
    }
  }

  @Test
  void aMirrorWhoseWriterIsBehindByTheBound_orRefuses_writesOnTheCaller() throws Exception {
    int size = (int) (DirectOutput.MIRROR_PENDING_BYTES + (8 << 20));
    byte[] data = TestData.randomBytes(10, size);
    HeldTasks held = new HeldTasks();
    java.util.concurrent.Executor refusing =
        r -> {
          throw new java.util.concurrent.RejectedExecutionException("full");
        };
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      SnapshotReader reader = new SnapshotReader(store);
      SnapshotRoot root = published(store, reader, data);
      for (java.util.concurrent.Executor writer : List.of(held, refusing)) {
        Path dest = tmp.resolve("behind" + (writer == held ? "-held" : "-refused") + ".bin");
        try (DirectOutput out = new DirectOutput(dest, Materializer.Options.defaults(), writer)) {
          out.open(root, reader.fileTable(root));
          long waiting = 0;
          for (ChunkId id : placeAll(out, reader, root)) {
            ByteBuffer bytes = store.read(id);
            int n = bytes.remaining();
            boolean[] freed = {false};
            out.mirror(id, bytes, () -> freed[0] = true);
            waiting += freed[0] ? 0 : n;
          }
          if (writer == held) {
            assertThat(waiting).isPositive().isLessThanOrEqualTo(DirectOutput.MIRROR_PENDING_BYTES);
            assertThat(out.mirroredBytes()).as("past the bound, written here").isPositive();
            held.runAll();
          } else {
            assertThat(waiting).as("a refusing writer: all written here").isZero();
          }
          assertThat(out.fillFrom(store)).isTrue();
          assertThat(out.mirroredBytes()).isEqualTo(size);
          out.commit();
        }
        assertThat(Files.mismatch(dest, writeFile(tmp.resolve("want-behind"), data))).isEqualTo(-1);
      }
    }
  }

  @Test
  void chunksWaitingForTheWriter_areFreedUnwritten_whenTheRestoreOrTheNodeStops() throws Exception {
    byte[] data = TestData.randomBytes(11, 4 << 20);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      SnapshotReader reader = new SnapshotReader(store);
      SnapshotRoot root = published(store, reader, data);
      for (boolean nodeStops : new boolean[] {false, true}) {
        HeldTasks held = new HeldTasks();
        Path dest = tmp.resolve("stopped-" + nodeStops);
        java.util.concurrent.atomic.AtomicInteger released =
            new java.util.concurrent.atomic.AtomicInteger();
        DirectOutput out = new DirectOutput(dest, Materializer.Options.defaults(), held);
        out.open(root, reader.fileTable(root));
        List<ChunkId> ids = placeAll(out, reader, root);
        for (ChunkId id : ids) {
          out.mirror(id, store.read(id), released::incrementAndGet);
        }
        assertThat(held.tasks).hasSize(1);
        if (nodeStops) {
          ((DirectOutput.MirrorWrites) held.tasks.get(0)).abandon(); // as NodeThreads.stopPools
        } else {
          out.close(); // the restore gives up; then the writer runs
          held.runAll();
        }
        assertThat(released).hasValue(ids.size());
        assertThat(out.mirroredBytes()).isZero();
        out.close();
        assertThat(dest).doesNotExist();
      }
    }
  }

  /** Holds the tasks it is given until {@link #runAll}. */
  private static final class HeldTasks implements java.util.concurrent.Executor {
    final List<Runnable> tasks = new java.util.ArrayList<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        tasks.remove(0).run();
      }
    }
  }

  /** Places every data chunk of {@code root} at its offset; their ids in order. */
  private static List<ChunkId> placeAll(DirectOutput out, SnapshotReader reader, SnapshotRoot root)
      throws java.io.IOException {
    List<ChunkId> ids = new java.util.ArrayList<>();
    LeafCursor leaves = new LeafCursor(reader, root.data(), 0);
    while (leaves.next()) {
      out.place(leaves.id(), List.of(leaves.offset()));
      ids.add(leaves.id());
    }
    return ids;
  }

  private static boolean fill(DirectOutput out, ChunkStore store) {
    try {
      return out.fillFrom(store);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code data} published as one file into {@code store}: its root. */
  private static SnapshotRoot published(ChunkStore store, SnapshotReader reader, byte[] data)
      throws java.io.IOException {
    return reader.root(
        SnapshotWriter.publishBytes(store, "f.bin", data, PublishRequest.of("f", 1, "p", 1))
            .rootId());
  }

  private static CompletableFuture<Void> write(
      ExecutorService pool, CyclicBarrier both, DirectOutput out, ChunkId id, byte[] data) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            both.await();
            out.write(id, ByteBuffer.wrap(data));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        pool);
  }

  private static Path writeFile(Path p, byte[] data) throws java.io.IOException {
    if (!Files.exists(p)) {
      Files.write(p, data);
    }
    return p;
  }
}
