package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFilesTest {
  @TempDir Path tmp;

  /**
   * The background flush queued behind a file's last bytes can run after the file was completed and
   * its channel closed (a 1 GiB get failed with "a background fsync failed:
   * ClosedChannelException"); it then has nothing to do and must not fail the get.
   */
  @Test
  void backgroundFlush_afterTheFileCompleted_isNotAFailure() throws Exception {
    FileChannel ch =
        FileChannel.open(tmp.resolve("f"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    ch.close();
    assertThatCode(() -> OutputFiles.forceUnlessCompleted(ch)).doesNotThrowAnyException();
  }
}
