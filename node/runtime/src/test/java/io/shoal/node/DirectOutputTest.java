package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.HashAlgorithm;
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
      SnapshotRoot root =
          reader.root(
              SnapshotWriter.publishBytes(store, "f.bin", data, PublishRequest.of("f", 1, "p", 1))
                  .rootId());
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
