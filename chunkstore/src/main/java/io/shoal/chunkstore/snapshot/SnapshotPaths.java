package io.shoal.chunkstore.snapshot;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The rules for paths in a file table, checked when a table is built, when one is decoded, and
 * again before anything is materialized: a path is relative, its components are separated by single
 * {@code /}, and no component is empty, {@code .} or {@code ..} or contains a NUL, so no path can
 * name a place outside the directory it is materialized into.
 */
public final class SnapshotPaths {
  /** Longest path accepted, in UTF-8 bytes (Linux's PATH_MAX). */
  public static final int MAX_PATH_BYTES = 4096;

  /** Longest path component accepted, in UTF-8 bytes (Linux's NAME_MAX). */
  public static final int MAX_COMPONENT_BYTES = 255;

  private SnapshotPaths() {}

  /** Returns null when the path is acceptable, else the reason it is not. */
  public static String problem(String path) {
    if (path.isEmpty()) {
      return "empty path";
    }
    if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      return "path longer than " + MAX_PATH_BYTES + " bytes";
    }
    if (path.startsWith("/")) {
      return "absolute path";
    }
    for (String component : path.split("/", -1)) {
      if (component.isEmpty()) {
        return "empty path component";
      }
      if (component.equals(".") || component.equals("..")) {
        return "'" + component + "' component";
      }
      if (component.indexOf('\0') >= 0) {
        return "NUL in path";
      }
      if (component.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_BYTES) {
        return "component longer than " + MAX_COMPONENT_BYTES + " bytes";
      }
    }
    return null;
  }

  /**
   * Resolves the path inside {@code root}, refusing it when it is not acceptable or would land
   * outside {@code root}.
   *
   * @throws UnsafePathException naming the path
   */
  public static Path resolveInside(Path root, String path) throws UnsafePathException {
    String problem = problem(path);
    if (problem != null) {
      throw new UnsafePathException(path, problem);
    }
    Path base = root.toAbsolutePath().normalize();
    Path resolved = base.resolve(path).normalize();
    if (!resolved.startsWith(base) || resolved.equals(base)) {
      throw new UnsafePathException(path, "lands outside the target directory");
    }
    return resolved;
  }
}
