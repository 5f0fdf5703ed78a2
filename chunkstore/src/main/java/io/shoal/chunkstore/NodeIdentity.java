package io.shoal.chunkstore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The stable id of the node that owns a data directory, kept in its {@code node-id} file. It
 * outlives restarts and address changes; it names the publisher of every snapshot the node makes.
 * Callers hold the store's lock while loading it.
 */
public final class NodeIdentity {
  static final String FILE = "node-id";
  private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

  private NodeIdentity() {}

  /**
   * Makes {@code id} the node id of {@code dataDir} (a secured node's id comes from its
   * certificate) and returns the id it replaced, or null when the file held {@code id} already or
   * did not exist.
   */
  public static String replace(Path dataDir, String id) throws IOException {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not a node id (32 lowercase hex digits): '" + id + "'");
    }
    Path file = dataDir.resolve(FILE);
    String old;
    try {
      old = Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (NoSuchFileException e) {
      old = null;
    }
    if (id.equals(old)) {
      return null;
    }
    AtomicFiles.write(file, (id + "\n").getBytes(StandardCharsets.UTF_8));
    return old;
  }

  /** Reads the node id of {@code dataDir}, making a random one on first use. */
  public static String loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    try {
      String id = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!ID.matcher(id).matches()) {
        throw new FormatException(file + " does not hold a node id (32 lowercase hex digits)");
      }
      return id;
    } catch (NoSuchFileException e) {
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      String id = HexFormat.of().formatHex(random);
      AtomicFiles.write(file, (id + "\n").getBytes(StandardCharsets.UTF_8));
      return id;
    }
  }
}
