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
 * so restarts outrank earlier lives) and {@code node.json} (how the CLI finds the running node's
 * HTTP API; removed at a clean stop).
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
   * @param http its HTTP API address, host:port
   */
  public record NodeInfo(long pid, String nodeId, String peer, String http) {}

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

  static void writeNodeInfo(Path dataDir, NodeInfo info) throws IOException {
    AtomicFiles.write(
        dataDir.resolve(NODE_INFO), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(info));
  }

  static void removeNodeInfo(Path dataDir) throws IOException {
    Files.deleteIfExists(dataDir.resolve(NODE_INFO));
  }

  /** The running node's info, if its file exists and parses. */
  public static Optional<NodeInfo> readNodeInfo(Path dataDir) {
    try {
      return Optional.of(
          JSON.readValue(Files.readAllBytes(dataDir.resolve(NODE_INFO)), NodeInfo.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
