package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.gossip.Credential;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Pin;
import io.shoal.gossip.Signature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinFileTest {
  @TempDir Path dir;

  static final List<PinFile.Entry> CLAIMS =
      List.of(
          new PinFile.Entry(
              "orders",
              new Pin(
                  1_700_000_000_000L,
                  new NodeId(1, 2),
                  2,
                  HashAlgorithm.SHA256.hash(new byte[] {2}),
                  Signature.of(new byte[64])),
              Credential.of(new byte[700])),
          new PinFile.Entry(
              "logs", new Pin(9, new NodeId(3, 4), 0, null, Signature.NONE), Credential.NONE));

  @Test
  void saveLater_thenLoad_returnsTheClaims() {
    PinFile file = new PinFile(dir, Runnable::run);
    file.saveLater(CLAIMS);

    assertThat(new PinFile(dir, Runnable::run).load()).isEqualTo(CLAIMS);
  }

  @Test
  void load_noFile_isEmpty() {
    assertThat(new PinFile(dir, Runnable::run).load()).isEmpty();
  }

  @Test
  void load_damagedFile_isIgnored() throws Exception {
    byte[] bytes = PinFile.encode(CLAIMS);
    bytes[20] ^= 1;
    Files.write(dir.resolve(PinFile.FILE_NAME), bytes);

    assertThat(new PinFile(dir, Runnable::run).load()).isEmpty();
  }

  @Test
  void saveLater_manyQueued_writesTheLatest() {
    java.util.concurrent.ExecutorService writer =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      PinFile file = new PinFile(dir, writer);
      for (int i = 0; i < 50; i++) {
        file.saveLater(i % 2 == 0 ? List.of() : CLAIMS);
      }
      file.saveLater(CLAIMS.subList(1, 2));
      Awaitility.await()
          .until(() -> new PinFile(dir, Runnable::run).load().equals(CLAIMS.subList(1, 2)));
    } finally {
      writer.shutdownNow();
    }
  }
}
