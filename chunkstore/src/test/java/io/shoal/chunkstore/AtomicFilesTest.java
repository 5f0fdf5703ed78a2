package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path tmp;

  private static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void writePrivate_newFile_isOwnerOnly() throws Exception {
    Path target = tmp.resolve("secret.json");

    AtomicFiles.writePrivate(target, "s3cret".getBytes(StandardCharsets.UTF_8));

    assertThat(mode(target)).isEqualTo("rw-------");
    assertThat(Files.readString(target)).isEqualTo("s3cret");
  }

  @Test
  void writePrivate_overAWorldReadableFileAndLeftoverTemp_isOwnerOnly() throws Exception {
    Path target = tmp.resolve("secret.json");
    Path leftover = tmp.resolve("secret.json.tmp");
    Files.writeString(target, "old");
    Files.writeString(leftover, "torn");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));
    Files.setPosixFilePermissions(leftover, PosixFilePermissions.fromString("rw-rw-rw-"));

    AtomicFiles.writePrivate(target, "new".getBytes(StandardCharsets.UTF_8));

    assertThat(mode(target)).isEqualTo("rw-------");
    assertThat(Files.readString(target)).isEqualTo("new");
    assertThat(leftover).doesNotExist();
  }
}
