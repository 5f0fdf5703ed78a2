package io.shoal.api;

import io.shoal.node.NodeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A shoal node as a service sees it: in its own process ({@link #start}) or running beside it
 * ({@link #connect}). Both behave the same.
 *
 * <p><b>Threads.</b> Every method may be called from any thread. Methods that move data (publish,
 * restore, append, read with a wait) block the caller until done; none of them holds a lock while
 * it waits, so calls from several threads proceed together. Listeners and subscribers are called
 * one at a time on one thread this object owns; they should return quickly.
 *
 * <p><b>Errors.</b> A failure is an {@link IOException} with one line that says what went wrong (an
 * unknown name, a peer that sent a corrupt chunk and could not be replaced, a full disk); bad
 * arguments are an {@link IllegalArgumentException}. Nothing is left half-written: a restore writes
 * its output only when every byte is verified.
 */
public interface Shoal extends AutoCloseable {
  /** The log offset of a snapshot that records none. */
  long NO_LOG_OFFSET = -1;

  /**
   * Starts a node in this process and returns it; {@link #close} stops it.
   *
   * @param config the node's configuration (data directory, addresses, credentials, follows)
   * @throws IOException if the node could not start: a port in use, a data directory another node
   *     owns, credentials that do not load
   */
  static Shoal start(NodeConfig config) throws IOException {
    return EmbeddedShoal.start(config);
  }

  /**
   * Connects to the node that runs with data directory {@code dataDir} on this machine, with the
   * token (and, over HTTPS, the certificate fingerprint) that node wrote into the directory.
   *
   * @throws IOException if no node runs there, or its files cannot be read (run as its user)
   */
  static Shoal connect(Path dataDir) throws IOException {
    return RemoteShoal.connect(dataDir);
  }

  /** The node's id (hex). */
  String nodeId();

  /** The address other nodes join this one at ({@code host:port}), as they would pass it. */
  String peerAddress();

  /**
   * Publishes the file or directory {@code path} as the next version of {@code name}. Blocks until
   * the version is stored durably and announced. Use {@link #publish(String, Capture)} for state
   * that changes while it is read.
   */
  Published publish(String name, Path path) throws IOException;

  /**
   * Asks {@code capture} for a consistent point of the state, publishes it as the next version of
   * {@code name} with the log offset the capture returned, and deletes the captured copy. Blocks
   * until the version is stored durably and announced.
   */
  Published publish(String name, Capture capture) throws IOException;

  /**
   * Publishes the bytes of {@code in} (read to its end, not closed) as the next version of {@code
   * name}, a single-file snapshot. Blocks until stored durably and announced.
   */
  Published publish(String name, InputStream in) throws IOException;

  /**
   * Calls {@code listener} with each version of a name matching {@code glob} (as {@code
   * java.nio.file} globs: {@code *}, {@code ?}, {@code [..]}, {@code {a,b}}) that is newer than
   * every version of that name seen before, announced or held; first with the newest version of
   * each matching name known now. The calls come on this object's thread, in order per name.
   */
  Subscription subscribe(String glob, Consumer<SnapshotVersion> listener);

  /** The versions the node knows, newest first per name. */
  List<SnapshotVersion> versions() throws IOException;

  /**
   * Restores {@code ref} ({@code NAME} for the newest version, or {@code NAME@VERSION}) into {@code
   * target}, which must not exist: fetches the chunks the node lacks from every peer that has them,
   * verifies each, and writes the files. Blocks until done; {@code progress} is called about ten
   * times a second while chunks move, and once with stage {@code "done"}.
   *
   * <p>The result's {@link Restored#logOffset} is where to replay the log of the same name from:
   * apply {@link #read} records from there, by offset, and the state is current.
   *
   * <p>The node keeps the version in its store too, to serve it: on the file system of its data
   * directory, from the restored files shortly after this returns (the service may move and delete
   * them at once); elsewhere as the chunks arrive.
   */
  Restored restore(String ref, Path target, Consumer<RestoreProgress> progress) throws IOException;

  /**
   * Opens file {@code path} of snapshot {@code ref} for sequential reading. Works before the node
   * holds the snapshot: the node fetches it, the chunks the stream needs next first, and the stream
   * serves each chunk as soon as it is verified. Close the stream to release the request.
   */
  InputStream openStream(String ref, String path) throws IOException;

  /**
   * Opens file {@code path} of snapshot {@code ref} for random reads, before it has fully arrived
   * as {@link #openStream} does; each read fetches the range it needs first. The channel is
   * read-only, and not safe for use by several threads at once.
   */
  SeekableByteChannel openChannel(String ref, String path) throws IOException;

  /**
   * Appends {@code records} (each at most 1 MiB) to the change log {@code name}, in order, and
   * returns their offsets once they are durable. Only one node writes a log; on any other node this
   * fails (see docs/operations.md, "Change logs").
   */
  Appended append(String name, List<byte[]> records) throws IOException;

  /**
   * Reads up to {@code max} records of log {@code name} from offset {@code from}. When none is
   * there yet, waits up to {@code wait} (at most 30 s) for one to be appended or replicated, and
   * returns what came, perhaps nothing. Blocks the caller for at most {@code wait}.
   *
   * @throws io.shoal.node.net.NotFoundException if the node holds no log {@code name} (yet): a
   *     replica's node holds a log once the first sealed segment has reached it
   * @throws IllegalArgumentException if {@code from} is before the first record the node still
   *     holds: segments that the newest snapshot but one covers are dropped, so a reader that far
   *     behind restores the newest snapshot instead
   */
  LogRead read(String name, long from, int max, Duration wait) throws IOException;

  /** Stops this object's thread and, for {@link #start}, the node. Idempotent. */
  @Override
  void close();
}
