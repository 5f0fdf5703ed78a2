package io.shoal.node;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Read channels on pack files, opened once and shared by the serves; thread-safe. */
final class PackChannels implements AutoCloseable {
  static final int MAX_OPEN_PACKS = 64;

  private final Map<Path, FileChannel> openPacks = new ConcurrentHashMap<>();

  /** An open channel on {@code file}, shared by every serve that reads it. */
  FileChannel open(Path file) throws IOException {
    FileChannel ch = openPacks.get(file);
    if (ch != null && ch.isOpen()) {
      return ch;
    }
    if (openPacks.size() >= MAX_OPEN_PACKS) {
      // Packs come and go with garbage collection; start over rather than track each.
      for (FileChannel old : openPacks.values()) {
        old.close();
      }
      openPacks.clear();
    }
    FileChannel fresh = FileChannel.open(file, StandardOpenOption.READ);
    FileChannel raced = openPacks.putIfAbsent(file, fresh);
    if (raced != null) {
      fresh.close();
      return raced;
    }
    return fresh;
  }

  @Override
  public void close() {
    for (FileChannel ch : openPacks.values()) {
      try {
        ch.close();
      } catch (IOException e) {
        // Closing for shutdown; nothing to do.
      }
    }
  }
}
