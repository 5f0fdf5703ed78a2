package io.shoal.node;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.SnapshotPaths;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a gateway request names: {@code /snapshots/NAME[@VERSION][/PATH][/]}, read from the path as
 * sent (still percent-encoded) and decoded once, one segment at a time. So an encoded {@code /}
 * ({@code %2F}) cannot pass for a separator, {@code +} stays a plus, and {@code %25} stays a
 * percent sign. A segment that decodes to {@code .}, {@code ..}, or holds a {@code /} or a NUL, an
 * empty segment inside the path, a malformed escape or bytes that are not UTF-8 are refused (400):
 * no file table holds such a path ({@link SnapshotPaths}), and saying so beats a 404.
 *
 * @param ref the snapshot named
 * @param path the path in it, components joined by {@code /}; empty when none is named
 * @param directory whether the request ends in {@code /}: it asks for a listing
 */
record GatewayTarget(SnapshotRef ref, String path, boolean directory) {
  /**
   * Reads the target of {@code rawPath}, which starts with {@code prefix}.
   *
   * @throws IllegalArgumentException naming what is wrong with the path
   */
  static GatewayTarget parse(String prefix, String rawPath) {
    if (!rawPath.startsWith(prefix)) {
      throw new IllegalArgumentException(
          "bad gateway path: want " + prefix + "NAME[@VERSION]/PATH");
    }
    String[] segments = rawPath.substring(prefix.length()).split("/", -1);
    String refText = decode(segments[0]);
    if (refText.isEmpty()) {
      throw new IllegalArgumentException("name a snapshot: " + prefix + "NAME[@VERSION]/PATH");
    }
    SnapshotRef ref = SnapshotRef.parse(refText);
    boolean directory = segments.length > 1 && segments[segments.length - 1].isEmpty();
    int last = directory ? segments.length - 1 : segments.length;
    List<String> components = new ArrayList<>(last);
    for (int i = 1; i < last; i++) {
      components.add(component(decode(segments[i])));
    }
    String path = String.join("/", components);
    if (!path.isEmpty() && SnapshotPaths.problem(path) != null) {
      throw new IllegalArgumentException("bad path in a snapshot: " + SnapshotPaths.problem(path));
    }
    return new GatewayTarget(ref, path, directory);
  }

  private static String component(String c) {
    if (c.isEmpty()) {
      throw new IllegalArgumentException("bad path in a snapshot: empty path component");
    }
    if (c.indexOf('/') >= 0) {
      throw new IllegalArgumentException("bad path in a snapshot: an encoded '/' (%2F)");
    }
    if (c.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("bad path in a snapshot: NUL in path");
    }
    if (c.equals(".") || c.equals("..")) {
      throw new IllegalArgumentException("bad path in a snapshot: '" + c + "' component");
    }
    return c;
  }

  /** {@code s} with its {@code %XX} escapes decoded as UTF-8 bytes; nothing else is changed. */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '%') {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        continue;
      }
      int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
      if (lo < 0) {
        throw new IllegalArgumentException("bad percent-escape in path segment '" + s + "'");
      }
      bytes.write(hi << 4 | lo);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("path segment '" + s + "' is not UTF-8", e);
    }
  }

  /** {@code segment} percent-encoded for a URL path: everything but RFC 3986's unreserved. */
  static String encode(String segment) {
    StringBuilder b = new StringBuilder(segment.length());
    for (byte x : segment.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~'
          || c == '@') {
        b.append(c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)));
        b.append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
      }
    }
    return b.toString();
  }

  /** The URL path of {@code path} (components joined by {@code /}), each component encoded. */
  static String encodePath(String path) {
    List<String> parts = new ArrayList<>();
    for (String c : path.split("/", -1)) {
      parts.add(encode(c));
    }
    return String.join("/", parts);
  }
}
