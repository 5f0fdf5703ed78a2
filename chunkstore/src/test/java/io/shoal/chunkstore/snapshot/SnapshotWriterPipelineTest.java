package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.FastCdc;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.Progress;
import io.shoal.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The concurrent publication pipeline against a plain sequential pass: the same trees and root ids
 * for any input, and a clean failure (no catalog entry, no thread left) when an I/O error hits it
 * midway.
 */
class SnapshotWriterPipelineTest {
  private static final String THREAD_PREFIX = "shoal-publish-";

  @TempDir Path tmp;

  static PublishRequest request(String name, long version) {
    return PublishRequest.of(name, version, "test-node", 1_700_000_000_000L);
  }

  /**
   * A random tree: empty files, files smaller than the minimum chunk, a few spanning segments
   * (unless there are many files, to keep the test's heap small), nested and empty directories.
   */
  private Path randomTree(long seed, int files) throws IOException {
    Path src = tmp.resolve("src-" + seed);
    Files.createDirectories(src.resolve("empty-dir"));
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < files; i++) {
      int kind = r.nextInt(100);
      int size;
      if (kind < 25) {
        size = 0;
      } else if (kind < 80) {
        size = r.nextInt(1, FastCdc.DEFAULT_MIN_BYTES);
      } else if (kind < 97 || files > 1000) {
        size = r.nextInt(FastCdc.DEFAULT_MIN_BYTES, 400_000);
      } else {
        size = r.nextInt(1 << 20, 9 << 20);
      }
      Path f = src.resolve("d" + r.nextInt(6)).resolve("e" + r.nextInt(3)).resolve("f" + i);
      TestData.file(f, TestData.randomBytes(r.nextLong(), size));
    }
    return src;
  }

  /** What a single-threaded pass over the source gives, chunk by chunk, with no pipeline. */
  private static SnapshotWriter.Result sequential(Path src, PublishRequest request)
      throws IOException {
    SourceScanner.Scan scan = SourceScanner.scan(src);
    FileTable table = FileTable.of(scan.entries());
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    for (Path f : scan.files()) {
      stream.write(Files.readAllBytes(f));
    }
    FastCdc c = request.sizing().chunkerFor(stream.size(), 0);
    TreeRef data = sequentialTree(stream.toByteArray(), request, c);
    TreeRef tableTree = sequentialTree(table.encode(), request, c);
    SnapshotRoot root =
        new SnapshotRoot(
            request.name(),
            request.version(),
            request.algorithm(),
            scan.singleFile(),
            request.publisher(),
            request.createdMillis(),
            data,
            tableTree,
            table.size(),
            c.minBytes(),
            c.avgBytes(),
            c.maxBytes());
    return new SnapshotWriter.Result(
        request.algorithm().hash(root.encode()), root, 0, 0, 0, false, 0);
  }

  private static TreeRef sequentialTree(byte[] bytes, PublishRequest request, FastCdc c)
      throws IOException {
    HashAlgorithm alg = request.algorithm();
    TreeBuilder tree = new TreeBuilder(alg, node -> {});
    if (bytes.length == 0) {
      tree.add(alg.hash(bytes), 0);
      return tree.finish();
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    for (int at = 0; at < bytes.length; ) {
      int n = c.nextChunkLength(b, at, bytes.length - at);
      tree.add(alg.hash(bytes, at, n), n);
      at += n;
    }
    return tree.finish();
  }

  private static List<Thread> publishThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(THREAD_PREFIX) && t.isAlive())
        .toList();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  @DisplayName("random trees: the pipeline gives the root id of a sequential pass, on disk too")
  void publish_randomTree_matchesSequentialPass(long seed) throws Exception {
    Path src = randomTree(seed, seed == 4 ? 3000 : 400);
    for (int threads : new int[] {1, 2, 5}) {
      PublishRequest request = request("t", threads).withThreads(threads);
      SnapshotWriter.Result expected = sequential(src, request);
      try (ChunkStore store = ChunkStore.open(tmp.resolve("store-" + seed + "-" + threads))) {
        SnapshotWriter.Result actual = SnapshotWriter.publish(store, src, request, n -> {});
        assertThat(actual.root()).as("threads=" + threads).isEqualTo(expected.root());
        assertThat(actual.rootId()).isEqualTo(expected.rootId());
        assertThat(store.catalog().get("t", threads).orElseThrow().root())
            .isEqualTo(expected.rootId());
      }
      assertThat(publishThreads()).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "edge streams: empty, one byte, below the minimum chunk, exactly a segment, all empty")
  void publish_edgeSizes_matchesSequentialPass() throws Exception {
    int[] sizes = {
      0,
      1,
      FastCdc.DEFAULT_MIN_BYTES - 1,
      FastCdc.DEFAULT_MIN_BYTES,
      PublishPipeline.SEGMENT_BYTES,
      PublishPipeline.SEGMENT_BYTES + 1,
      2 * PublishPipeline.SEGMENT_BYTES - 7
    };
    for (int size : sizes) {
      Path f = TestData.file(tmp.resolve("edge-" + size), TestData.randomBytes(size, size));
      try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
        PublishRequest request = request("e", 1);
        assertThat(SnapshotWriter.publish(store, f, request, n -> {}).rootId())
            .as("size " + size)
            .isEqualTo(sequential(f, request).rootId());
      }
    }
    Path emptyFiles = tmp.resolve("empties");
    for (int i = 0; i < 50; i++) {
      TestData.file(emptyFiles.resolve("z" + i), new byte[0]);
    }
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      PublishRequest request = request("z", 1);
      assertThat(SnapshotWriter.publish(store, emptyFiles, request, n -> {}).rootId())
          .isEqualTo(sequential(emptyFiles, request).rootId());
    }
  }

  @Test
  @DisplayName("a write that fails midway: the error surfaces, no catalog entry, no thread left")
  void publish_writeFailsMidway_failsCleanly() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("big.bin"), 7, 40L << 20);
    try (ChunkStore store =
        new FailingChunkStore(ChunkStore.open(tmp.resolve("store")), 3, "injected disk error")) {
      assertThatThrownBy(() -> SnapshotWriter.publish(store, src, request("f", 1), n -> {}))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("injected disk error");
      assertThat(store.catalog().get("f", 1)).isEmpty();
      assertThat(publishThreads()).isEmpty();
    }
  }

  @Test
  @DisplayName("a read that fails midway: the error surfaces, no catalog entry, no thread left")
  void publish_readFailsMidway_failsCleanly() throws Exception {
    byte[] bytes = TestData.randomBytes(8, 50 << 20);
    long failAt = 21L << 20;
    StreamSource failing =
        new StreamSource() {
          @Override
          public long size() {
            return bytes.length;
          }

          @Override
          public void read(long position, ByteBuffer dst) throws IOException {
            if (position <= failAt && failAt < position + dst.remaining()) {
              throw new IOException("injected read error");
            }
            dst.put(bytes, (int) position, dst.remaining());
          }
        };
    FileTable table = FileTable.of(List.of(new FileEntry("x", false, 0644, bytes.length, 0)));
    try (ChunkStore store = ChunkStore.open(tmp.resolve("store"))) {
      assertThatThrownBy(
              () ->
                  SnapshotWriter.publish(
                      store, table, true, failing, request("r", 1), Progress.none()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("injected read error");
      assertThat(store.catalog().get("r", 1)).isEmpty();
      assertThat(publishThreads()).isEmpty();
    }
  }
}
