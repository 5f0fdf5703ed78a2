package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskChunkStoreTest extends ChunkStoreContract {
  @TempDir Path dir;

  @Override
  ChunkStore newStore() throws IOException {
    return ChunkStore.open(dir.resolve("store"), smallPacks());
  }

  static StoreOptions smallPacks() {
    return StoreOptions.defaults().withPackTargetBytes(1 << 20);
  }

  private ChunkStore reopen() throws IOException {
    store.close();
    store = ChunkStore.open(dir.resolve("store"), smallPacks());
    return store;
  }

  private List<VerifiedChunk> putMany(int n, int size) throws IOException {
    List<VerifiedChunk> chunks = new ArrayList<>();
    try (ChunkBatch batch = store.newBatch()) {
      for (int i = 0; i < n; i++) {
        VerifiedChunk c = chunk(1000 + i, size);
        chunks.add(c);
        batch.add(c);
      }
      batch.commit();
    }
    return chunks;
  }

  private List<Path> packs() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("store/packs"))) {
      return s.filter(p -> p.toString().endsWith(".pack")).sorted().toList();
    }
  }

  @Test
  void commitVisible_exposesAtOnce_andEveryBarrierMakesItDurable() throws Exception {
    DiskChunkStore disk = (DiskChunkStore) store;
    VerifiedChunk fetched = chunk(1, 4096);
    try (ChunkBatch b = store.newBatch()) {
      b.add(fetched);
      b.commitVisible();
    }
    assertThat(store.contains(fetched.id())).isTrue();
    assertThat(disk.unsyncedPacks()).isEqualTo(1);
    // A catalog entry may refer to it: the catalog write syncs first.
    store.catalog().put(new CatalogEntry("a", 1, fetched.id(), true, 4096, 0));
    assertThat(disk.unsyncedPacks()).isZero();

    VerifiedChunk again = chunk(2, 4096);
    try (ChunkBatch b = store.newBatch()) {
      b.add(again);
      b.commitVisible();
    }
    assertThat(disk.unsyncedPacks()).isEqualTo(1);
    // A durable batch that skips it (the store holds it) makes it durable too.
    try (ChunkBatch b = store.newBatch()) {
      assertThat(b.add(again)).isFalse();
      b.add(chunk(3, 4096));
      b.commit();
    }
    assertThat(disk.unsyncedPacks()).isZero();
    reopen();
    assertThat(store.contains(fetched.id())).isTrue();
    assertThat(store.contains(again.id())).isTrue();
  }

  @Test
  void open_newDirectory_isReadableByItsOwnerOnly() throws Exception {
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("store"))))
        .isEqualTo("rwx------");
  }

  @Test
  void reopen_seesEveryCommittedChunkAndTheCatalog() throws Exception {
    List<VerifiedChunk> chunks = putMany(40, 64 * 1024);
    store.catalog().put(new CatalogEntry("a", 1, chunks.get(0).id(), true, 1, 2));
    reopen();
    for (VerifiedChunk c : chunks) {
      assertThat(store.read(c.id())).isEqualTo(c.bytes());
    }
    assertThat(store.catalog().entries()).hasSize(1);
    assertThat(packs()).hasSizeGreaterThan(1);
  }

  @Test
  void read_flippedByteOnDisk_isReportedCorruptAndDropped() throws Exception {
    VerifiedChunk c = chunk(1, 50_000);
    store.put(c);
    reopen();
    ChunkLocation loc = store.locate(c.id()).orElseThrow();
    flipByte(loc.file(), loc.offset() + 1234);
    assertThatThrownBy(() -> store.read(c.id()))
        .isInstanceOf(CorruptChunkException.class)
        .hasMessageContaining(c.id().toHex());
    assertThat(store.contains(c.id())).isFalse();
    assertThat(store.put(c)).as("a fresh copy is accepted again").isTrue();
    assertThat(store.read(c.id())).isEqualTo(c.bytes());
  }

  @Test
  void open_tornTail_cutsItAndKeepsEveryVerifiedChunk() throws Exception {
    List<VerifiedChunk> chunks = putMany(5, 30_000);
    Path pack = packs().get(0);
    // Simulate a crash mid-write: no hint, and half a record at the end.
    store.close();
    Files.delete(
        dir.resolve("store/packs")
            .resolve(pack.getFileName().toString().replace(".pack", ".hint")));
    long size = Files.size(pack);
    try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.WRITE)) {
      ByteBuffer half = ByteBuffer.allocate(PackRecord.HEADER_BYTES + 500);
      PackRecord.writeHeader(half, chunk(99, 1000).id(), 1000);
      ch.write(half.clear(), size);
    }
    store = ChunkStore.open(dir.resolve("store"), smallPacks());
    for (VerifiedChunk c : chunks) {
      assertThat(store.read(c.id())).isEqualTo(c.bytes());
    }
    assertThat(store.stats().chunkCount()).isEqualTo(5);
    assertThat(Files.size(pack)).isEqualTo(size);
  }

  @Test
  void open_tailWithWrongBytes_isNotIndexed() throws Exception {
    putMany(3, 20_000);
    Path pack = packs().get(0);
    store.close();
    Files.delete(pack.resolveSibling(pack.getFileName().toString().replace(".pack", ".hint")));
    VerifiedChunk bogus = chunk(77, 4000);
    try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.WRITE)) {
      ByteBuffer rec = ByteBuffer.allocate(PackRecord.HEADER_BYTES + 4000);
      PackRecord.writeHeader(rec, bogus.id(), 4000); // a complete record whose payload is zeros
      ch.write(rec.clear(), ch.size());
    }
    store = ChunkStore.open(dir.resolve("store"), smallPacks());
    assertThat(store.contains(bogus.id())).isFalse();
    assertThat(store.stats().chunkCount()).isEqualTo(3);
  }

  @Test
  void open_damagedHint_isRebuiltFromThePack() throws Exception {
    List<VerifiedChunk> chunks = putMany(4, 10_000);
    store.close();
    Path hint = packs().get(0).resolveSibling("00000001.hint");
    flipByte(hint, 30);
    store = ChunkStore.open(dir.resolve("store"), smallPacks());
    for (VerifiedChunk c : chunks) {
      assertThat(store.contains(c.id())).isTrue();
    }
  }

  @Test
  void open_twice_isRefusedWithAClearMessage() {
    assertThatThrownBy(() -> ChunkStore.open(dir.resolve("store")))
        .isInstanceOf(StoreLockedException.class)
        .hasMessageContaining("store");
  }

  @Test
  void open_unknownFormatVersion_isRefused() throws Exception {
    store.close();
    Files.writeString(dir.resolve("store/SHOAL-STORE"), "shoal-store\nformat 9\n");
    assertThatThrownBy(() -> ChunkStore.open(dir.resolve("store")))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("format 9")
        .hasMessageContaining("format 1");
    Files.writeString(dir.resolve("store/SHOAL-STORE"), "shoal-store\nformat 1\n");
    store = ChunkStore.open(dir.resolve("store"));
  }

  @Test
  void open_foreignNonEmptyDirectory_isRefused() throws Exception {
    Path foreign = Files.createDirectories(dir.resolve("foreign"));
    Files.writeString(foreign.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> ChunkStore.open(foreign))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("not a shoal store");
    assertThat(Files.readString(foreign.resolve("notes.txt"))).isEqualTo("mine");
  }

  @Test
  void open_unknownPackVersion_isRefused() throws Exception {
    putMany(1, 100);
    store.close();
    Path pack = packs().get(0);
    try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(2).putShort((short) 7).flip(), 4);
    }
    assertThatThrownBy(() -> ChunkStore.open(dir.resolve("store")))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("version 7");
    try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(2).putShort((short) 1).flip(), 4);
    }
    store = ChunkStore.open(dir.resolve("store"));
  }

  @Test
  void retainOnly_belowThreshold_rewritesHintSoDeadChunksStayGoneAfterReopen() throws Exception {
    store.close();
    store = ChunkStore.open(dir.resolve("store"), smallPacks().withCompactDeadFraction(0.9));
    List<VerifiedChunk> chunks = putMany(10, 10_000);
    ChunkId dead = chunks.get(3).id();
    store.retainOnly(id -> !id.equals(dead));
    assertThat(store.contains(dead)).isFalse();
    reopen();
    assertThat(store.contains(dead)).isFalse();
    assertThat(store.stats().chunkCount()).isEqualTo(9);
  }

  @Test
  void retainOnly_aboveThreshold_compactsAndShrinksTheFiles() throws Exception {
    List<VerifiedChunk> chunks = putMany(60, 50_000);
    long before = store.stats().fileBytes();
    store.retainOnly(id -> id.equals(chunks.get(0).id()));
    assertThat(store.stats().fileBytes()).isLessThan(before / 10);
    reopen();
    assertThat(store.stats().chunkCount()).isEqualTo(1);
    assertThat(store.read(chunks.get(0).id())).isEqualTo(chunks.get(0).bytes());
  }

  static void flipByte(Path file, long at) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, at);
      one.put(0, (byte) (one.get(0) ^ 0x5a)).clear();
      ch.write(one, at);
    }
  }
}
