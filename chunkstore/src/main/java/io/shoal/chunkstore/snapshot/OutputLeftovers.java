package io.shoal.chunkstore.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hidden siblings a materialization leaves next to its target while it runs: {@code
 * .NAME.shoal-tmp-PID-*} (the snapshot being built) and {@code .NAME.shoal-old-PID-*} (the
 * directory being replaced, moved aside for the instant of the swap). The writing process's id is
 * in the name, so the next materialization into the same target can tell a leftover of a process
 * that died (cleaned, or restored) from the work of one still running (left alone).
 *
 * <p>A replace runs: move target to old, move tmp to target, delete old. A crash between the two
 * moves leaves no target but an old one: that old directory is moved back, as if the replace had
 * never started. Names without a process id (written by an older shoal) are left alone.
 */
final class OutputLeftovers {
  private static final Logger log = LoggerFactory.getLogger(OutputLeftovers.class);
  private static final String TMP = ".shoal-tmp-";
  private static final String OLD = ".shoal-old-";

  private OutputLeftovers() {}

  /** The name prefix of this process's temporary build of {@code dest}. */
  static String tmpPrefix(Path dest) {
    return prefix(dest, TMP) + ProcessHandle.current().pid() + "-";
  }

  /** The name prefix of {@code dest} moved aside by this process while it is replaced. */
  static String oldPrefix(Path dest) {
    return prefix(dest, OLD) + ProcessHandle.current().pid() + "-";
  }

  /**
   * Cleans up after materializations into {@code dest} whose process died: restores a target that
   * was moved aside and never replaced, then deletes the leftovers.
   */
  static void recover(Path dest) throws IOException {
    Path parent = dest.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return;
    }
    List<Path> deadTmp = new ArrayList<>();
    List<Path> deadOld = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (isOfDeadProcess(name, prefix(dest, TMP))) {
          deadTmp.add(p);
        } else if (isOfDeadProcess(name, prefix(dest, OLD))) {
          deadOld.add(p);
        }
      }
    }
    if (!deadOld.isEmpty() && !Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
      Path old = deadOld.remove(0);
      Files.move(old, dest, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      log.warn(
          "restored {} from {}: a replace of it was interrupted before the new copy was in place",
          dest,
          old.getFileName());
    }
    deadOld.addAll(deadTmp);
    for (Path p : deadOld) {
      Materializer.deleteTree(p);
      log.info("removed {}, left by an interrupted write to {}", p.getFileName(), dest);
    }
  }

  private static String prefix(Path dest, String kind) {
    return "." + dest.getFileName() + kind;
  }

  private static boolean isOfDeadProcess(String name, String prefix) {
    if (!name.startsWith(prefix)) {
      return false;
    }
    OptionalLong pid = pidIn(name.substring(prefix.length()));
    return pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(h -> !h.isAlive()).orElse(true);
  }

  /** The process id at the start of {@code rest} ({@code PID-random}), if there is one. */
  static OptionalLong pidIn(String rest) {
    int dash = rest.indexOf('-');
    if (dash <= 0 || dash > 19) {
      return OptionalLong.empty();
    }
    for (int i = 0; i < dash; i++) {
      if (!Character.isDigit(rest.charAt(i))) {
        return OptionalLong.empty();
      }
    }
    try {
      return OptionalLong.of(Long.parseLong(rest.substring(0, dash)));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
