package io.shoal.node.security;

import io.shoal.gossip.NodeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The node ids a cluster's CA has revoked. Kept in a text file ({@code revoked.txt}) in the CA
 * directory, one id (32 hex digits) a line, {@code #} comments allowed; an operator copies it into
 * every node's credential directory, and a node re-reads it while running. A missing file is an
 * empty list. Immutable.
 */
public final class RevocationList {
  /** File name in a CA directory and in a node's credential directory. */
  public static final String FILE = "revoked.txt";

  /** Most ids a list may hold: a bound on what a node reads from disk every few seconds. */
  public static final int MAX_IDS = 100_000;

  private static final RevocationList EMPTY = new RevocationList(Set.of());

  private final Set<NodeId> revoked;

  private RevocationList(Set<NodeId> revoked) {
    this.revoked = revoked;
  }

  public static RevocationList empty() {
    return EMPTY;
  }

  public static RevocationList of(Set<NodeId> ids) {
    return new RevocationList(Collections.unmodifiableSet(new TreeSet<>(ids)));
  }

  public boolean isRevoked(NodeId id) {
    return revoked.contains(id);
  }

  public Set<NodeId> ids() {
    return revoked;
  }

  /** This list with {@code id} added. */
  public RevocationList with(NodeId id) {
    Set<NodeId> s = new TreeSet<>(revoked);
    s.add(id);
    return new RevocationList(Collections.unmodifiableSet(s));
  }

  /** Reads {@code file}; a missing file is the empty list. */
  public static RevocationList read(Path file) throws CredentialException {
    String text;
    try {
      if (Files.size(file) > (long) MAX_IDS * 40) {
        throw new CredentialException(file + " is too large for " + MAX_IDS + " ids");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return EMPTY;
    } catch (IOException e) {
      throw new CredentialException(file + " cannot be read: " + e.getMessage(), e);
    }
    return parse(text, file.toString());
  }

  static RevocationList parse(String text, String where) throws CredentialException {
    Set<NodeId> ids = new TreeSet<>();
    int lineNumber = 0;
    for (String line : text.split("\n", -1)) {
      lineNumber++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      try {
        ids.add(NodeId.parse(l));
      } catch (IllegalArgumentException e) {
        throw new CredentialException(where + " line " + lineNumber + ": " + e.getMessage());
      }
    }
    return new RevocationList(Collections.unmodifiableSet(ids));
  }

  /** The file's text: a header comment, then one id a line in order. */
  String format() {
    StringBuilder sb =
        new StringBuilder(
            "# node ids revoked by this cluster's CA; copy this file into every node's"
                + " credential directory\n");
    for (NodeId id : revoked) {
      sb.append(id.toHex()).append('\n');
    }
    return sb.toString();
  }

  void write(Path file) throws IOException {
    Pem.writeText(file, format());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RevocationList r && r.revoked.equals(revoked);
  }

  @Override
  public int hashCode() {
    return revoked.hashCode();
  }

  @Override
  public String toString() {
    return "RevocationList[" + revoked.size() + " ids]";
  }
}
