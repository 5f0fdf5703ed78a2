package io.shoal.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.chunkstore.AtomicFiles;
import io.shoal.chunkstore.FormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The node's own files in its data directory: {@code generation} (a counter raised at every start,
 * so restarts outrank earlier lives) and {@code node.json} (how the CLI finds and authenticates to
 * the running node's HTTP API; readable by the node's user only, 0600; removed at a clean stop).
 */
public final class DataDirFiles {
  static final String GENERATION = "generation";
  public static final String NODE_INFO = "node.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What a running node publishes about itself.
   *
   * @param pid its process id
   * @param nodeId its node id
   * @param peer its peer address
   * @param http its HTTP API address as a client on this machine reaches it, host:port
   * @param scheme the URL scheme: "http", or "https" when the API speaks TLS
   * @param token the bearer token the API's state routes need (a secret)
   * @param certificateSha256 with TLS, the SHA-256 fingerprint of the API's certificate, which
   *     clients pin; else null
   */
  public record NodeInfo(
      long pid,
      String nodeId,
      String peer,
      String http,
      String scheme,
      String token,
      String certificateSha256) {
    @Override
    public String toString() {
      return "NodeInfo[pid=" + pid + ", http=" + scheme + "://" + http + ", token=redacted]";
    }
  }

  private DataDirFiles() {}

  /** Raises and returns the boot generation. */
  static long nextGeneration(Path dataDir) throws IOException {
    Path file = dataDir.resolve(GENERATION);
    long current = 0;
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      current = Long.parseLong(text);
      if (current < 0) {
        throw new NumberFormatException(text);
      }
    } catch (NoSuchFileException e) {
      current = 0;
    } catch (NumberFormatException e) {
      throw new FormatException(file + " does not hold a generation number");
    }
    long next = current + 1;
    AtomicFiles.write(file, (next + "\n").getBytes(StandardCharsets.UTF_8));
    return next;
  }

  /** Writes node.json, owner-only from its creation: it holds the token. */
  static void writeNodeInfo(Path dataDir, NodeInfo info) throws IOException {
    AtomicFiles.writePrivate(
        dataDir.resolve(NODE_INFO), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(info));
  }

  static void removeNodeInfo(Path dataDir) throws IOException {
    Files.deleteIfExists(dataDir.resolve(NODE_INFO));
  }

  /**
   * The running node's info, if its file exists and parses.
   *
   * @throws java.nio.file.AccessDeniedException if this user may not read it (another user's node)
   * @throws IOException if it cannot be read for another reason
   */
  public static Optional<NodeInfo> readNodeInfo(Path dataDir) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(dataDir.resolve(NODE_INFO));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(bytes, NodeInfo.class));
    } catch (IOException e) {
      return Optional.empty(); // left by another version of shoal: no node to talk to
    }
  }
}
