package io.shoal.api;

import io.shoal.node.api.PublishCall;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the in-process node and the node beside share: publishing through a scratch directory in the
 * node's data directory, the watcher thread, and file reads through the node's gateway.
 */
abstract class NodeShoal implements Shoal {
  /** Where captures and published streams are written, inside the node's data directory. */
  static final String SCRATCH = "api-scratch";

  final Watcher watcher;
  final HttpLink link;
  private final Path scratchRoot;
  private final String peerAddress;

  NodeShoal(Path dataDir, HttpLink link, String threadName) {
    this.scratchRoot = dataDir.toAbsolutePath().resolve(SCRATCH);
    this.peerAddress = link.peerAddress();
    this.link = link;
    this.watcher = new Watcher(threadName);
  }

  @Override
  public String peerAddress() {
    return peerAddress;
  }

  /** Publishes {@code path} on this machine, recording {@code logOffset}. */
  abstract Published publish(String name, Path path, long logOffset) throws IOException;

  @Override
  public Published publish(String name, Path path) throws IOException {
    return publish(name, path, NO_LOG_OFFSET);
  }

  @Override
  public Published publish(String name, Capture capture) throws IOException {
    try (Scratch s = Scratch.in(scratchRoot)) {
      long offset = capture.capture(s.target());
      if (offset < NO_LOG_OFFSET) {
        throw new IllegalArgumentException("a capture returned log offset " + offset);
      }
      return publish(name, s.target(), offset);
    }
  }

  @Override
  public Published publish(String name, InputStream in) throws IOException {
    try (Scratch s = Scratch.in(scratchRoot)) {
      return publish(name, s.write(in), NO_LOG_OFFSET);
    }
  }

  @Override
  public Subscription subscribe(String glob, Consumer<SnapshotVersion> listener) {
    return watcher.subscribe(glob, listener, this::versions);
  }

  @Override
  public abstract List<SnapshotVersion> versions() throws IOException;

  @Override
  public InputStream openStream(String ref, String path) throws IOException {
    return link.stream(HttpLink.gateway(ref, path), null);
  }

  @Override
  public SeekableByteChannel openChannel(String ref, String path) throws IOException {
    return new RangeChannel(link, HttpLink.gateway(ref, path));
  }

  /** The node's request to publish {@code path} as the next version of {@code name}. */
  static PublishCall publishCall(String name, Path path, long logOffset) {
    return new PublishCall(
        name,
        path.toAbsolutePath().toString(),
        null,
        null,
        null,
        null,
        logOffset == NO_LOG_OFFSET ? null : logOffset);
  }

  static void checkRecords(List<byte[]> records) {
    if (records.isEmpty()) {
      throw new IllegalArgumentException("append needs at least one record");
    }
  }

  static void checkTarget(Path target) {
    if (java.nio.file.Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException(target + " exists; restore writes only a new path");
    }
  }
}
