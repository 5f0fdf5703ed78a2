package io.shoal.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Applying the log to RocksDB: idempotent by offset, gaps and malformed records refused. */
class KvStateTest {
  @TempDir Path tmp;

  @Test
  void replayingRecordsAgain_changesNothing_andAGapIsRefused() throws IOException {
    try (KvState s = KvState.open(tmp.resolve("db"))) {
      s.apply(0, KvRecords.putBatch(0, 10, 0, 100));
      s.apply(1, KvRecords.putBatch(5, 10, 1, 100));
      KvState.Digest once = s.digest();
      s.apply(0, KvRecords.putBatch(0, 10, 0, 100)); // a replay from an older offset
      s.apply(1, KvRecords.putBatch(5, 10, 1, 100));
      assertThat(s.digest()).isEqualTo(once);
      assertThat(once.keys()).isEqualTo(15);
      assertThat(s.offset()).isEqualTo(2);
      assertThat(s.apply(2, KvRecords.check("c1"))).isEqualTo("c1");
      assertThat(s.lastCheck()).isEqualTo("c1");
      assertThatThrownBy(() -> s.apply(5, KvRecords.putBatch(0, 1, 0, 10)))
          .hasMessageContaining("lost records");
    }
  }

  @Test
  void generatedValues_areIncompressible() throws IOException {
    java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
    try (var z = new java.util.zip.GZIPOutputStream(zipped)) {
      for (int i = 0; i < 100; i++) {
        z.write(KvRecords.value(i, 0, 1000));
      }
    }
    assertThat(zipped.size()).isGreaterThan(99_000);
  }

  @Test
  void malformedPutBatches_failWhole_andWriteNothing() throws IOException {
    byte[] good = KvRecords.putBatch(0, 3, 0, 50);
    try (KvState s = KvState.open(tmp.resolve("db"))) {
      for (byte[] bad :
          new byte[][] {
            Arrays.copyOf(good, good.length - 1),
            Arrays.copyOf(good, good.length + 1),
            {KvRecords.PUT, 0x7f, 0, 0, 0},
            {9}
          }) {
        assertThatThrownBy(() -> s.apply(0, bad)).isInstanceOf(IOException.class);
      }
      assertThat(s.digest().keys()).isZero();
      assertThat(s.offset()).isZero();
    }
  }
}
