package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.Progress;
import io.shoal.chunkstore.snapshot.LeafCursor;
import io.shoal.chunkstore.snapshot.PublishRequest;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.chunkstore.snapshot.SnapshotWriter;
import io.shoal.node.core.FetchCore.Wanted;
import io.shoal.node.net.ChunkDelta;
import io.shoal.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaBasesTest {
  @TempDir Path tmp;

  private final ChunkStore store = ChunkStore.inMemory(256L << 20);
  private final SnapshotReader reader = new SnapshotReader(store);

  private SnapshotRoot publish(Path dir, long version) throws Exception {
    return SnapshotWriter.publish(
            store, dir, PublishRequest.of("d", version, "p", version), Progress.none())
        .root();
  }

  /** v2's data chunks that v1 lacks, as a fetcher holding v1 would plan them. */
  private List<Wanted> missing(SnapshotRoot v1, SnapshotRoot v2) throws Exception {
    Set<ChunkId> old = new HashSet<>();
    LeafCursor c = new LeafCursor(reader, v1.data(), 0);
    while (c.next()) {
      old.add(c.id());
    }
    List<Wanted> out = new ArrayList<>();
    c = new LeafCursor(reader, v2.data(), 0);
    for (int i = 0; c.next(); i++) {
      if (!old.contains(c.id())) {
        out.add(new Wanted(c.id(), c.length(), c.offset(), i));
      }
    }
    return out;
  }

  private byte[] read(List<ChunkId> ids) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ChunkId id : ids) {
      ByteBuffer b = store.read(id);
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      out.write(bytes);
    }
    return out.toByteArray();
  }

  @Test
  void attach_fileAfterAGrownFile_findsItsBasesByPathNotByStreamOffset() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("src"));
    byte[] a = TestData.randomBytes(1, 1 << 20);
    byte[] b = TestData.randomBytes(2, 1 << 20);
    TestData.file(dir.resolve("a.bin"), a);
    TestData.file(dir.resolve("b.bin"), b);
    SnapshotRoot v1 = publish(dir, 1);
    byte[] grown = java.util.Arrays.copyOf(a, a.length + 100_000);
    System.arraycopy(TestData.randomBytes(3, 100_000), 0, grown, a.length, 100_000);
    byte[] edited = b.clone();
    System.arraycopy(TestData.randomBytes(4, 1000), 0, edited, 500_000, 1000);
    TestData.file(dir.resolve("a.bin"), grown);
    TestData.file(dir.resolve("b.bin"), edited);
    SnapshotRoot v2 = publish(dir, 2);
    CatalogEntry target = store.catalog().get("d", 2).orElseThrow();

    List<Wanted> missing = missing(v1, v2);
    List<Wanted> planned = DeltaBases.attach(reader, target, v2, missing);

    long bStart = v2.data().sizeBytes() - edited.length;
    List<Wanted> inB = planned.stream().filter(w -> w.offset() >= bStart).toList();
    assertThat(inB).as("b.bin's changed chunks").isNotEmpty();
    long literal = 0;
    for (Wanted w : inB) {
      assertThat(w.bases()).as("bases of %s", w.id()).isNotEmpty();
      byte[] chunk = read(List.of(w.id()));
      byte[] delta = ChunkDelta.encode(read(w.bases()), chunk);
      assertThat(delta).as("a delta of %s against its bases", w.id()).isNotNull();
      literal += delta.length;
    }
    assertThat(literal).as("delta bytes for b.bin's 1,000 overwritten").isLessThan(1100);
  }

  @Test
  void attach_singleFileRenamedBetweenVersions_isTheSamePlace() throws Exception {
    byte[] v1 = TestData.randomBytes(6, 1 << 20);
    byte[] v2 = v1.clone();
    System.arraycopy(TestData.randomBytes(7, 1000), 0, v2, 300_000, 1000);
    SnapshotWriter.publishBytes(store, "v1.bin", v1, PublishRequest.of("d", 1, "p", 1));
    SnapshotRoot r2 =
        SnapshotWriter.publishBytes(store, "v2.bin", v2, PublishRequest.of("d", 2, "p", 2)).root();
    SnapshotRoot r1 = reader.root(store.catalog().get("d", 1).orElseThrow().root());
    CatalogEntry target = store.catalog().get("d", 2).orElseThrow();

    List<Wanted> planned = DeltaBases.attach(reader, target, r2, missing(r1, r2));

    assertThat(planned).isNotEmpty().allSatisfy(w -> assertThat(w.bases()).isNotEmpty());
  }

  @Test
  void attach_noEarlierVersion_leavesThePlanAsItIs() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("one"));
    TestData.file(dir.resolve("a.bin"), TestData.randomBytes(5, 300_000));
    SnapshotRoot v1 = publish(dir, 1);
    CatalogEntry target = store.catalog().get("d", 1).orElseThrow();
    List<Wanted> missing = List.of(new Wanted(v1.data().root(), 1, 0, 0));

    assertThat(DeltaBases.attach(reader, target, v1, missing)).isSameAs(missing);
  }
}
