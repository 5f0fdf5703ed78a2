package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.Catalog;
import io.shoal.chunkstore.ChunkBatch;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkLocation;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.StoreStats;
import io.shoal.testing.TestData;
import io.shoal.testing.TreeAssert;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Materializing whole random trees: the bytes, shape and modes that come out, and failures. */
class MaterializerTreeTest {
  private static final String[] FILE_MODES = {
    "rw-r--r--", "rw-------", "rwxr-xr-x", "r--r--r--", "rw-rw-rw-", "r--------", "rwxrwxr-x"
  };
  private static final String[] DIRECTORY_MODES = {"rwxr-xr-x", "rwx------", "rwxr-x---"};

  @TempDir Path tmp;

  /**
   * A random tree: directories nested up to 40 deep, empty directories, empty files, files from a
   * byte to several chunks (so chunks and segments hold many files and files span chunks), and
   * assorted modes, some of which a usual umask strips and some of which it keeps.
   */
  static Path randomTree(Path root, long seed, int files, int maxFileBytes) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    List<Path> dirs = new ArrayList<>(List.of(root));
    Files.createDirectories(root);
    for (int i = 0; i < files; i++) {
      Path parent = dirs.get(r.nextInt(dirs.size()));
      int kind = r.nextInt(10);
      if (kind == 0) {
        Path d = parent.resolve("d" + i);
        Files.createDirectories(d);
        dirs.add(d);
      } else if (kind == 1) {
        Path deep = parent;
        for (int level = 0; level < 40; level++) {
          deep = deep.resolve("l" + level);
        }
        Files.createDirectories(deep);
        dirs.add(deep);
      } else {
        int size = kind == 2 ? 0 : r.nextInt(1, maxFileBytes);
        Path f =
            TestData.file(parent.resolve("f" + i), TestData.randomBytes(seed * 7919 + i, size));
        Files.setPosixFilePermissions(
            f, PosixFilePermissions.fromString(FILE_MODES[r.nextInt(FILE_MODES.length)]));
      }
    }
    for (Path d : dirs.subList(1, dirs.size())) {
      Files.setPosixFilePermissions(
          d, PosixFilePermissions.fromString(DIRECTORY_MODES[r.nextInt(DIRECTORY_MODES.length)]));
    }
    return root;
  }

  @ParameterizedTest
  @CsvSource({"1, 1, true", "2, 2, false", "3, 4, true", "4, 3, false", "5, 2, true"})
  void randomTree_materialized_isIdenticalInBytesShapeAndModes(long seed, int threads, boolean sync)
      throws Exception {
    Path src = randomTree(tmp.resolve("src"), seed, 600, 40_000);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      ChunkId root =
          SnapshotWriter.publish(store, src, SnapshotRoundTripTest.request("t", 1), n -> {})
              .rootId();
      Path out = tmp.resolve("out");
      Materializer.Options options =
          new Materializer.Options(sync, false, threads, FileSelection.all());
      Materializer.Result result =
          Materializer.materialize(new SnapshotReader(store), root, out, options, n -> {});
      TreeAssert.assertSameTree(src, out);
      assertThat(result.files()).isPositive();
      assertThat(hiddenSiblings(out)).isEmpty();
    }
  }

  @Test
  void readFailsMidway_failsCleanly_leavingNoTemporaryAndNoThread() throws Exception {
    // 24 MiB in files of up to 160 KiB: several segments in flight when the read fails.
    Path src = randomTree(tmp.resolve("src"), 11, 400, 160_000);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      ChunkId root =
          SnapshotWriter.publish(store, src, SnapshotRoundTripTest.request("t", 1), n -> {})
              .rootId();
      ChunkStore failing = new FailingReads(store, 200);
      Path out = tmp.resolve("out");
      assertThatThrownBy(
              () ->
                  Materializer.materialize(
                      new SnapshotReader(failing),
                      root,
                      out,
                      Materializer.Options.defaults(),
                      n -> {}))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("injected");
      assertThat(out).doesNotExist();
      assertThat(hiddenSiblings(out)).isEmpty();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> materializerThreads().isEmpty());
    }
  }

  private static List<Path> hiddenSiblings(Path out) throws IOException {
    try (Stream<Path> s = Files.list(out.getParent())) {
      return s.filter(p -> p.getFileName().toString().startsWith("." + out.getFileName())).toList();
    }
  }

  private static List<String> materializerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("shoal-materialize"))
        .toList();
  }

  /** A store whose reads into a buffer fail from the {@code failAt}-th on. */
  private static final class FailingReads implements ChunkStore {
    private final ChunkStore store;
    private final int failAt;
    private final AtomicInteger reads = new AtomicInteger();

    FailingReads(ChunkStore store, int failAt) {
      this.store = store;
      this.failAt = failAt;
    }

    @Override
    public int readInto(ChunkId id, ByteBuffer dst) throws IOException {
      if (reads.incrementAndGet() >= failAt) {
        throw new IOException("injected read failure of " + id);
      }
      return store.readInto(id, dst);
    }

    @Override
    public boolean contains(ChunkId id) {
      return store.contains(id);
    }

    @Override
    public int length(ChunkId id) {
      return store.length(id);
    }

    @Override
    public ByteBuffer read(ChunkId id) throws IOException {
      return store.read(id);
    }

    @Override
    public ChunkBatch newBatch() {
      return store.newBatch();
    }

    @Override
    public Catalog catalog() {
      return store.catalog();
    }

    @Override
    public StoreStats stats() {
      return store.stats();
    }

    @Override
    public void forEachId(Consumer<ChunkId> action) {
      store.forEachId(action);
    }

    @Override
    public long retainOnly(Predicate<ChunkId> live) throws IOException {
      return store.retainOnly(live);
    }

    @Override
    public Optional<ChunkLocation> locate(ChunkId id) {
      return store.locate(id);
    }

    @Override
    public Optional<Path> directory() {
      return store.directory();
    }

    @Override
    public void close() throws IOException {
      store.close();
    }
  }
}
