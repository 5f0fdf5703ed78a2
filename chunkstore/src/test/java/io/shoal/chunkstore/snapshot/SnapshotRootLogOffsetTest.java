package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.HashAlgorithm;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The log offset a snapshot root may record (format version 2), and what older roots keep. */
class SnapshotRootLogOffsetTest {
  static final ChunkId ID = HashAlgorithm.XXH128.hash(new byte[] {1});
  static final TreeRef TREE = new TreeRef(ID, 10, 0);

  static SnapshotRoot root(long logOffset) {
    return new SnapshotRoot(
        "kv", 3, HashAlgorithm.XXH128, false, "p", 7, TREE, TREE, 1, 1, 2, 3, logOffset);
  }

  @Test
  void aRootWithALogOffset_isVersion2_andReadsBack() throws Exception {
    byte[] bytes = root(123_456).encode();
    assertThat(bytes[5]).isEqualTo((byte) 2); // u16 version after the 4-byte magic
    SnapshotRoot back = SnapshotRoot.decode(ID, ByteBuffer.wrap(bytes));
    assertThat(back.logOffset()).isEqualTo(123_456);
    assertThat(back.hasLogOffset()).isTrue();
    assertThat(back).isEqualTo(root(123_456));
  }

  @Test
  void aRootWithout_isVersion1_asOlderNodesWroteIt() throws Exception {
    byte[] bytes = root(SnapshotRoot.NO_LOG_OFFSET).encode();
    assertThat(bytes[5]).isEqualTo((byte) 1);
    assertThat(SnapshotRoot.decode(ID, ByteBuffer.wrap(bytes)).hasLogOffset()).isFalse();
    assertThat(bytes).hasSize(root(0).encode().length - 8);
  }

  @Test
  void malformedLogOffsets_areRefused() {
    byte[] v2 = root(5).encode();
    byte[] v1WithFlag = root(SnapshotRoot.NO_LOG_OFFSET).encode();
    v1WithFlag[7] |= 2; // flags: the log offset bit in a version 1 root
    byte[] v2WithoutFlag = v2.clone();
    v2WithoutFlag[7] &= ~2;
    byte[] truncated = Arrays.copyOf(v2, v2.length - 8);
    for (byte[] bad : new byte[][] {v1WithFlag, v2WithoutFlag, truncated}) {
      assertThatThrownBy(() -> SnapshotRoot.decode(ID, ByteBuffer.wrap(bad)))
          .isInstanceOf(FormatException.class);
    }
    assertThatThrownBy(() -> root(-2)).isInstanceOf(IllegalArgumentException.class);
  }
}
