package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkBatch;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.VerifiedChunk;
import io.shoal.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a restored snapshot's data back through hard links: every chunk, whatever the service
 * does with its paths afterwards, and never a byte that no longer hashes to its id.
 */
class RestoredFilesTest {
  @TempDir Path tmp;

  /** A published tree (files from empty to several chunks), restored to {@code out}. */
  private record Restored(ChunkStore store, SnapshotReader reader, SnapshotRoot root, Path out) {}

  private Restored restore(long seed) throws IOException {
    Path src = MaterializerTreeTest.randomTree(tmp.resolve("src"), seed, 120, 600_000);
    ChunkStore store = ChunkStore.inMemory(1L << 30);
    ChunkId rootId =
        SnapshotWriter.publish(store, src, SnapshotRoundTripTest.request("t", 1), n -> {}).rootId();
    SnapshotReader reader = new SnapshotReader(store);
    Path out = tmp.resolve("out");
    Materializer.materialize(reader, rootId, out, Materializer.Options.defaults(), n -> {});
    return new Restored(store, reader, reader.root(rootId), out);
  }

  /** Every data chunk of the snapshot, by id, as its store holds it. */
  private static Map<ChunkId, byte[]> dataChunks(Restored r) throws IOException {
    Map<ChunkId, byte[]> chunks = new HashMap<>();
    LeafCursor c = new LeafCursor(r.reader(), r.root().data(), 0);
    while (c.next()) {
      ByteBuffer b = r.store().read(c.id());
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      chunks.put(c.id(), bytes);
    }
    return chunks;
  }

  /** What {@link RestoredFiles#keep} handed on, copied (the chunk's buffer is reused). */
  private static RestoredFiles.ChunkSink collect(Map<ChunkId, byte[]> into) {
    return (VerifiedChunk c) -> into.put(c.id(), c.toByteArray());
  }

  @Test
  void everyChunk_isReadBack_afterTheServiceMovedAndDeletedItsFiles() throws Exception {
    Restored r = restore(41);
    Map<ChunkId, byte[]> expected = dataChunks(r);
    assertThat(expected.size())
        .as("chunks spanning files and files spanning chunks")
        .isGreaterThan(20);
    Path staging = tmp.resolve("store/keeping/x");

    try (RestoredFiles files = RestoredFiles.link(r.reader(), r.root(), r.out(), staging)) {
      Path moved = Files.move(r.out(), tmp.resolve("db")); // the example moves its restore in
      Materializer.deleteTree(moved); // and a service may drop files at once

      Map<ChunkId, byte[]> kept = new HashMap<>();
      RestoredFiles.Kept k = files.keep(r.reader(), r.root(), id -> true, collect(kept));

      assertThat(k.changed()).isZero();
      assertThat(k.chunks()).isEqualTo(expected.size());
      assertThat(kept.keySet()).isEqualTo(expected.keySet());
      expected.forEach((id, bytes) -> assertThat(kept.get(id)).isEqualTo(bytes));
    }
    assertThat(staging).doesNotExist();
  }

  @Test
  void aChunkOfAFileChangedSinceTheRestore_isSkipped_andNoOtherIs() throws Exception {
    Restored r = restore(42);
    Map<ChunkId, byte[]> expected = dataChunks(r);
    Path staging = tmp.resolve("keeping/y");
    try (RestoredFiles files = RestoredFiles.link(r.reader(), r.root(), r.out(), staging)) {
      Path changed = largestFile(r.out());
      try (FileChannel ch = FileChannel.open(changed, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), ch.size() / 2);
      }

      Map<ChunkId, byte[]> kept = new HashMap<>();
      RestoredFiles.Kept k = files.keep(r.reader(), r.root(), id -> true, collect(kept));

      assertThat(k.changed()).isBetween(1L, 2L); // the bytes may straddle two chunks
      assertThat(k.chunks() + k.changed()).isEqualTo(expected.size());
      kept.forEach((id, bytes) -> assertThat(bytes).isEqualTo(expected.get(id)));
    }
  }

  @Test
  void aFileGoneBeforeTheLink_orCutShort_countsItsChunksAsChanged() throws Exception {
    Restored r = restore(43);
    Map<ChunkId, byte[]> expected = dataChunks(r);
    List<Path> byDescendingSize = filesBySize(r.out());
    Files.delete(byDescendingSize.get(0));
    try (RestoredFiles files =
        RestoredFiles.link(r.reader(), r.root(), r.out(), tmp.resolve("keeping/z"))) {
      try (FileChannel ch = FileChannel.open(byDescendingSize.get(1), StandardOpenOption.WRITE)) {
        ch.truncate(ch.size() / 2);
      }
      Map<ChunkId, byte[]> kept = new HashMap<>();
      RestoredFiles.Kept k = files.keep(r.reader(), r.root(), id -> true, collect(kept));

      assertThat(k.changed()).isGreaterThanOrEqualTo(2);
      assertThat(k.chunks() + k.changed()).isEqualTo(expected.size());
      kept.forEach((id, bytes) -> assertThat(bytes).isEqualTo(expected.get(id)));
    }
  }

  @Test
  void onlyTheChunksWanted_areRead_andAStoreTakesThemVerified() throws Exception {
    Restored r = restore(44);
    Map<ChunkId, byte[]> expected = dataChunks(r);
    ChunkId skipped = expected.keySet().iterator().next();
    try (ChunkStore target = ChunkStore.inMemory(1L << 30);
        RestoredFiles files =
            RestoredFiles.link(r.reader(), r.root(), r.out(), tmp.resolve("keeping/w"));
        ChunkBatch batch = target.newBatch()) {
      RestoredFiles.Kept k =
          files.keep(r.reader(), r.root(), id -> !id.equals(skipped), batch::add);
      batch.commit();

      assertThat(k.chunks()).isEqualTo(expected.size() - 1);
      assertThat(target.contains(skipped)).isFalse();
      for (ChunkId id : expected.keySet()) {
        if (!id.equals(skipped)) {
          ByteBuffer b = target.read(id);
          byte[] bytes = new byte[b.remaining()];
          b.get(bytes);
          assertThat(bytes).isEqualTo(expected.get(id));
        }
      }
    }
  }

  @Test
  void aSingleFileSnapshot_isLinkedFromTheFileItself() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("one.bin"), 45, 5 << 20);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      ChunkId rootId =
          SnapshotWriter.publish(store, src, SnapshotRoundTripTest.request("t", 1), n -> {})
              .rootId();
      SnapshotReader reader = new SnapshotReader(store);
      Path out = tmp.resolve("copy.bin");
      Materializer.materialize(reader, rootId, out, Materializer.Options.defaults(), n -> {});
      Restored r = new Restored(store, reader, reader.root(rootId), out);
      try (RestoredFiles files =
          RestoredFiles.link(reader, r.root(), out, tmp.resolve("keeping/s"))) {
        Files.delete(out);
        Map<ChunkId, byte[]> kept = new HashMap<>();
        RestoredFiles.Kept k = files.keep(reader, r.root(), id -> true, collect(kept));
        assertThat(k.changed()).isZero();
        assertThat(kept).hasSameSizeAs(dataChunks(r));
        assertThat(k.bytes()).isEqualTo(5 << 20);
      }
    }
  }

  private static Path largestFile(Path dir) throws IOException {
    return filesBySize(dir).get(0);
  }

  private static List<Path> filesBySize(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .sorted(
              (a, b) -> {
                try {
                  return Long.compare(Files.size(b), Files.size(a));
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .toList();
    }
  }
}
