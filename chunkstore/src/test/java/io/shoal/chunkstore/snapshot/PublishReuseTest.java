package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.Progress;
import io.shoal.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publication takes the chunks of files unchanged since the previous one from the store without
 * reading them, and still makes exactly the snapshot a full read makes.
 */
class PublishReuseTest {
  private static final int MIB = 1 << 20;

  @TempDir Path tmp;

  private final PublishHistory history = PublishHistory.create();
  private final ChunkStore store = ChunkStore.inMemory(1L << 30);

  private static PublishRequest request(String name, long version) {
    return PublishRequest.of(name, version, "test-node", System.currentTimeMillis());
  }

  private static PublishRequest request(long version) {
    return request("state", version);
  }

  private SnapshotWriter.Result publish(Path src, long version) throws IOException {
    return publish(src, "state", version);
  }

  private SnapshotWriter.Result publish(Path src, String name, long version) throws IOException {
    return SnapshotWriter.publish(store, src, request(name, version), Progress.none(), history);
  }

  /** The same publication, every byte read, into a store of its own. */
  private static SnapshotWriter.Result fullRead(Path src, long version) throws IOException {
    return SnapshotWriter.publish(
        ChunkStore.inMemory(1L << 30), src, request(version), Progress.none());
  }

  /** Dates every file in the tree an hour back, as files written long before a publication are. */
  private static void settle(Path src) throws IOException {
    FileTime hourAgo = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
    try (Stream<Path> files = Files.walk(src)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(f, hourAgo);
      }
    }
  }

  private void assertSameAsFullRead(SnapshotWriter.Result got, Path src, long version)
      throws IOException {
    SnapshotWriter.Result full = fullRead(src, version);
    assertThat(got.root().data()).isEqualTo(full.root().data());
    assertThat(got.root().fileTable()).isEqualTo(full.root().fileTable());
    LeafCursor leaves = new LeafCursor(new SnapshotReader(store), got.root().data(), 0);
    while (leaves.next()) {
      assertThat(store.contains(leaves.id())).as("chunk at %d held", leaves.offset()).isTrue();
    }
  }

  private static void overwrite(Path file, long at, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes), at);
    }
  }

  @Test
  void unchangedFiles_areTakenUnread_andTheSnapshotIsThatOfAFullRead() throws IOException {
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("a.bin"), 1, 20L * MIB);
    TestData.randomFile(src.resolve("b.bin"), 2, 12L * MIB);
    TestData.randomFile(src.resolve("c.bin"), 3, 3L * MIB);
    TestData.randomFile(src.resolve("d/e.bin"), 4, 18L * MIB);
    TestData.file(src.resolve("small.txt"), TestData.randomBytes(5, 1000));
    settle(src);
    assertThat(publish(src, 1).reusedBytes()).isZero();

    overwrite(src.resolve("b.bin"), 5L * MIB, TestData.randomBytes(6, MIB));
    Files.write(src.resolve("c.bin"), TestData.randomBytes(7, 70_000), StandardOpenOption.APPEND);
    Files.delete(src.resolve("small.txt"));
    TestData.randomFile(src.resolve("new.bin"), 8, 5L * MIB);
    SnapshotWriter.Result second = publish(src, 2);

    assertSameAsFullRead(second, src, 2);
    // a.bin starts the stream, so its first two segments are taken whole; d/e.bin adds more.
    assertThat(second.reusedBytes()).isGreaterThanOrEqualTo(16L * MIB);
    assertThat(second.newBytes()).isLessThan(12L * MIB);

    SnapshotWriter.Result third = publish(src, 3);
    assertSameAsFullRead(third, src, 3);
    assertThat(third.reusedBytes()).isGreaterThanOrEqualTo(second.reusedBytes());
    assertThat(third.newBytes()).as("the new root and index nodes only").isLessThan(4096);
  }

  @Test
  void aFileRewrittenInPlaceWithItsLength_isReadAgain() throws IOException {
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("a.bin"), 1, 20L * MIB);
    settle(src);
    publish(src, 1);

    overwrite(src.resolve("a.bin"), 9L * MIB, TestData.randomBytes(2, 4096));
    Files.setLastModifiedTime(
        src.resolve("a.bin"), FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
    SnapshotWriter.Result second = publish(src, 2);

    assertSameAsFullRead(second, src, 2);
    assertThat(second.reusedBytes()).isZero();
  }

  @Test
  void theChunkThatEndedThePreviousStream_isNotTaken() throws IOException {
    // The previous stream's end cut its last chunk; with a file after it, the true chunk may run
    // on.
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("a.bin"), 1, 16L * MIB);
    settle(src);
    publish(src, 1);

    TestData.randomFile(src.resolve("b.bin"), 2, 3L * MIB);
    SnapshotWriter.Result second = publish(src, 2);

    assertSameAsFullRead(second, src, 2);
    assertThat(second.reusedBytes()).isEqualTo(8L * MIB);
  }

  @Test
  void randomEdits_giveExactlyTheSnapshotOfAFullRead() throws IOException {
    long reused = 0;
    for (long seed = 1; seed <= 4; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      Path src = tmp.resolve("random-" + seed);
      int files = r.nextInt(3, 9);
      for (int i = 0; i < files; i++) {
        TestData.randomFile(src.resolve("f" + i), r.nextLong(), r.nextLong(0, 12L * MIB));
      }
      settle(src);
      for (long version = 1; version <= 4; version++) {
        SnapshotWriter.Result result = publish(src, "random-" + seed, version);
        assertSameAsFullRead(result, src, version);
        reused += result.reusedBytes();
        Path f = src.resolve("f" + r.nextInt(files + 1));
        edit(f, r);
        if (Files.exists(f)) {
          // Settled, and dated apart from every time this file had before.
          Files.setLastModifiedTime(
              f, FileTime.fromMillis(System.currentTimeMillis() - 7_200_000 - version * 1000));
        }
      }
    }
    assertThat(reused).as("bytes taken unread over all versions").isGreaterThan(0);
  }

  /** Rewrites part of the file, appends to it, shortens it, removes it or creates it. */
  private static void edit(Path f, SplittableRandom r) throws IOException {
    if (!Files.exists(f)) {
      TestData.randomFile(f, r.nextLong(), r.nextLong(1, 4L * MIB));
      return;
    }
    long size = Files.size(f);
    switch (r.nextInt(4)) {
      case 0 -> overwrite(f, r.nextLong(0, size + 1), TestData.randomBytes(r.nextLong(), 5000));
      case 1 -> Files.write(f, TestData.randomBytes(r.nextLong(), 9000), StandardOpenOption.APPEND);
      case 2 -> {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
          ch.truncate(size / 2);
        }
      }
      default -> Files.delete(f);
    }
  }

  @Test
  void whereTheTrueChunkingMissesThePreviousCuts_theFileIsReadAfterAll() throws IOException {
    // Zeros have no content-defined cuts, so their chunks are cut by length from wherever the
    // chunking entered them: when the file before changes length, no earlier cut is met again.
    Path src = tmp.resolve("src");
    TestData.file(src.resolve("1-head.bin"), TestData.randomBytes(1, 100_003));
    TestData.file(src.resolve("2-zeros.bin"), new byte[24 * MIB]);
    TestData.randomFile(src.resolve("3-tail.bin"), 3, MIB);
    settle(src);
    publish(src, 1);

    TestData.file(src.resolve("1-head.bin"), TestData.randomBytes(2, 150_001));
    SnapshotWriter.Result second = publish(src, 2);

    assertSameAsFullRead(second, src, 2);
    assertThat(second.reusedBytes()).isZero();
  }

  @Test
  void aFileModifiedShortlyBeforeThePublication_isReadAgain() throws IOException {
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("a.bin"), 1, 20L * MIB);
    publish(src, 1); // a.bin was written just now: its time may not yet tell a later write apart

    SnapshotWriter.Result second = publish(src, 2);
    assertSameAsFullRead(second, src, 2);
    assertThat(second.reusedBytes()).isZero();

    settle(src); // a new modification time: the stamp recorded no longer matches
    assertThat(publish(src, 3).reusedBytes()).isZero();
    SnapshotWriter.Result fourth = publish(src, 4);
    assertSameAsFullRead(fourth, src, 4);
    assertThat(fourth.reusedBytes()).isGreaterThanOrEqualTo(16L * MIB);
  }

  @Test
  void aPreviousVersionTheStoreNoLongerHolds_isNotReused() throws IOException {
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("a.bin"), 1, 20L * MIB);
    settle(src);
    SnapshotWriter.publish(
        ChunkStore.inMemory(1L << 30), src, request(1), Progress.none(), history);

    SnapshotWriter.Result second = publish(src, 2);

    assertSameAsFullRead(second, src, 2);
    assertThat(second.reusedBytes()).isZero();
  }

  @Test
  void aForcedPublication_readsEverything() throws IOException {
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("a.bin"), 1, 20L * MIB);
    settle(src);
    Publication.Outcome first = publishThroughPublication(src, false);
    Publication.Outcome forced = publishThroughPublication(src, true);
    Publication.Outcome again = publishThroughPublication(src, false);

    assertThat(first.reusedBytes()).isZero();
    assertThat(forced.unchanged()).isFalse();
    assertThat(forced.reusedBytes()).isZero();
    assertThat(again.unchanged()).isTrue();
    assertThat(again.reusedBytes()).isGreaterThanOrEqualTo(16L * MIB);
  }

  private Publication.Outcome publishThroughPublication(Path src, boolean force)
      throws IOException {
    return Publication.publish(
        store,
        src,
        "state",
        null,
        io.shoal.chunkstore.HashAlgorithm.XXH128,
        0,
        "test-node",
        System.currentTimeMillis(),
        Progress.none(),
        force,
        SnapshotRoot.NO_LOG_OFFSET,
        history);
  }
}
