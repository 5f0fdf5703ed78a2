package io.shoal.node;

import io.shoal.chunkstore.ChunkId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The gateway's entity tags and the conditional headers that compare them (RFC 9110 §8.8.3, §13). A
 * file's tag is strong: it is made of the snapshot's root id, which is content-addressed (the root
 * covers the file table and every byte of data), and a digest of the file's path, so two responses
 * with the same tag carry the same bytes.
 */
final class EntityTag {
  /** Bytes of SHA-256 kept for the path part of a tag: 128 bits, as the chunk ids themselves. */
  static final int PATH_DIGEST_BYTES = 16;

  private EntityTag() {}

  /** The strong tag, quotes included, of file {@code path} in the snapshot of root {@code root}. */
  static String of(ChunkId root, String path) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    String pathHex = HexFormat.of().formatHex(digest, 0, PATH_DIGEST_BYTES);
    return '"' + root.toTaggedString() + '-' + pathHex + '"';
  }

  /**
   * Whether {@code ifNoneMatch} (an {@code If-None-Match} value, or null) matches {@code tag} by
   * weak comparison, so a GET or HEAD answers 304 (§13.1.2); {@code *} matches any tag. Whatever
   * follows a part that is not an entity-tag is ignored.
   */
  static boolean noneMatchHits(String ifNoneMatch, String tag) {
    if (ifNoneMatch == null) {
      return false;
    }
    if (ifNoneMatch.trim().equals("*")) {
      return true;
    }
    String opaque = opaque(tag);
    for (String t : parseList(ifNoneMatch)) {
      if (opaque(t).equals(opaque)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the {@code Range} may be served given {@code ifRange} (an {@code If-Range} value, or
   * null): when absent, or when it is a strong tag equal to {@code tag} (§13.1.5). A date (this
   * gateway sends no Last-Modified), a weak tag or another tag means the whole file.
   */
  static boolean rangeAllowed(String ifRange, String tag) {
    if (ifRange == null) {
      return true;
    }
    String v = ifRange.trim();
    return !v.startsWith("W/") && v.equals(tag);
  }

  /** The tags of a comma-separated list, each as written (with {@code W/} and quotes). */
  static List<String> parseList(String header) {
    List<String> tags = new ArrayList<>();
    int i = 0;
    int n = header.length();
    while (i < n) {
      char c = header.charAt(i);
      if (c == ',' || c == ' ' || c == '\t') {
        i++;
        continue;
      }
      int start = i;
      if (header.startsWith("W/", i)) {
        i += 2;
      }
      if (i >= n || header.charAt(i) != '"') {
        return tags; // not an entity-tag: stop, keeping those before it
      }
      int close = header.indexOf('"', i + 1);
      if (close < 0) {
        return tags;
      }
      tags.add(header.substring(start, close + 1));
      i = close + 1;
    }
    return tags;
  }

  /** A tag without its weakness mark, for weak comparison. */
  private static String opaque(String tag) {
    return tag.startsWith("W/") ? tag.substring(2) : tag;
  }
}
