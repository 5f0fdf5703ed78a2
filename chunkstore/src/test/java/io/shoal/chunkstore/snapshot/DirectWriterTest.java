package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.Writeback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct writes of the aligned middles, page-cache writes of the ends: whatever the cut and the
 * order, every file holds exactly its bytes.
 */
class DirectWriterTest {
  @TempDir Path tmp;

  @Test
  void unalignedPieces_inAnyOrder_fromSeveralThreads_landExactly_andMostGoDirect()
      throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 8; round++) {
      byte[] stream = new byte[3 << 20 | random.nextInt(1 << 20)];
      random.nextBytes(stream);
      int split = 1 + random.nextInt(stream.length - 1);
      List<FileEntry> files =
          List.of(
              new FileEntry("a", false, 0644, split, 0),
              new FileEntry("b", false, 0600, stream.length - split, split));
      Path dir = Files.createDirectory(tmp.resolve("r" + round));
      List<Path> paths = List.of(dir.resolve("a"), dir.resolve("b"));
      DirectWriter direct = new DirectWriter();

      writeShuffled(files, paths, direct, stream, random);

      byte[] a = Files.readAllBytes(paths.get(0));
      byte[] b = Files.readAllBytes(paths.get(1));
      assertThat(a.length + b.length).isEqualTo(stream.length);
      assertThat(ByteBuffer.wrap(a)).isEqualTo(ByteBuffer.wrap(stream, 0, split));
      assertThat(ByteBuffer.wrap(b))
          .isEqualTo(ByteBuffer.wrap(stream, split, stream.length - split));
      assertThat(direct.directBytes()).isGreaterThan(stream.length / 2L);
    }
  }

  @Test
  void aFileItsOwnerMayNotWrite_isWrittenThroughThePageCache() throws Exception {
    Random random = new Random(7);
    byte[] stream = new byte[2 << 20];
    random.nextBytes(stream);
    List<FileEntry> files = List.of(new FileEntry("ro", false, 0444, stream.length, 0));
    List<Path> paths = List.of(tmp.resolve("ro"));
    DirectWriter direct = new DirectWriter();

    writeShuffled(files, paths, direct, stream, random);

    assertThat(Files.readAllBytes(paths.get(0))).isEqualTo(stream);
    assertThat(direct.directBytes()).isZero();
  }

  @Test
  void whenDirectWritesAreRefused_everythingGoesThroughThePageCache() throws Exception {
    DirectWriter direct = new DirectWriter();
    assertThat(direct.open(tmp.resolve("no-such-file"))).isNull();
    assertThat(direct.worthIt(0, 8 << 20)).isFalse();

    Random random = new Random(9);
    byte[] stream = new byte[2 << 20];
    random.nextBytes(stream);
    List<Path> paths = List.of(tmp.resolve("f"));
    writeShuffled(
        List.of(new FileEntry("f", false, 0644, stream.length, 0)), paths, direct, stream, random);

    assertThat(Files.readAllBytes(paths.get(0))).isEqualTo(stream);
    assertThat(direct.directBytes()).isZero();
  }

  /**
   * Some file systems take {@code O_DIRECT} at open and refuse the write: the bytes then go through
   * the page cache, and so does every later write (a closed channel stands in for the refusal).
   */
  @Test
  void aFirstDirectWriteRefused_goesThroughThePageCache_andSoDoesEveryLaterOne() throws Exception {
    Path file = tmp.resolve("f");
    byte[] bytes = new byte[3 << 20];
    new Random(11).nextBytes(bytes);
    DirectWriter direct = new DirectWriter();
    try (FileChannel buffered =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      FileChannel refusing = direct.open(file);
      assertThat(refusing).isNotNull();
      refusing.close();
      assertThat(direct.worthIt(100, bytes.length - 200)).isTrue();

      direct.write(buffered, refusing, ByteBuffer.wrap(bytes, 100, bytes.length - 200), 100);
      DirectWriter.writeBuffered(buffered, ByteBuffer.wrap(bytes, 0, 100), 0);
      DirectWriter.writeBuffered(
          buffered, ByteBuffer.wrap(bytes, bytes.length - 100, 100), bytes.length - 100);
    }

    assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
    assertThat(direct.directBytes()).isZero();
    assertThat(direct.worthIt(0, 8 << 20)).isFalse();
  }

  /** A direct write failing after others succeeded is the device's failure, and is thrown. */
  @Test
  void aDirectWriteFailingAfterOthersSucceeded_isThrown() throws Exception {
    Path file = tmp.resolve("f");
    byte[] bytes = new byte[2 << 20];
    DirectWriter direct = new DirectWriter();
    try (FileChannel buffered =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      FileChannel d = direct.open(file);
      direct.write(buffered, d, ByteBuffer.wrap(bytes), 0);
      assertThat(direct.directBytes()).isEqualTo(bytes.length);
      d.close();

      assertThatThrownBy(() -> direct.write(buffered, d, ByteBuffer.wrap(bytes), 0))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void smallWrites_goThroughThePageCache() {
    DirectWriter direct = new DirectWriter();
    assertThat(direct.worthIt(1, DirectWriter.MIN_DIRECT_BYTES)).isFalse();
    assertThat(direct.worthIt(0, 2L * DirectWriter.MIN_DIRECT_BYTES + (64 << 10))).isTrue();
  }

  /** Cuts the stream into pieces of 1 byte to 1.5 MiB and writes them shuffled on 4 threads. */
  private static void writeShuffled(
      List<FileEntry> files, List<Path> paths, DirectWriter direct, byte[] stream, Random random)
      throws Exception {
    List<long[]> pieces = new ArrayList<>();
    for (long at = 0; at < stream.length; ) {
      long n =
          Math.min(
              stream.length - at,
              random.nextInt(4) == 0 ? 1 + random.nextInt(5000) : 1 + random.nextInt(3 << 19));
      pieces.add(new long[] {at, n});
      at += n;
    }
    Collections.shuffle(pieces, random);
    try (Writeback writeback = new Writeback("test-writeback", 1 << 20);
        OutputFiles out = new OutputFiles(files, paths, true, writeback, false, 0, direct)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (long[] p : pieces) {
          done.add(
              pool.submit(
                  () -> {
                    out.write(p[0], ByteBuffer.wrap(stream, (int) p[0], (int) p[1]).slice());
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      out.finishAll();
      writeback.close();
      writeback.throwIfFailed();
    }
  }
}
