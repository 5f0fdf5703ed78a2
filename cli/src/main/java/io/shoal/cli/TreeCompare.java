package io.shoal.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Checks that two directory trees hold the same files with the same bytes. */
final class TreeCompare {
  private TreeCompare() {}

  static void requireSame(Path a, Path b) throws IOException {
    List<Path> left = list(a);
    List<Path> right = list(b);
    if (!left.equals(right)) {
      throw new CliException("the copy lists different files than the source");
    }
    for (Path rel : left) {
      Path x = a.resolve(rel);
      if (Files.isRegularFile(x) && Files.mismatch(x, b.resolve(rel)) != -1) {
        throw new CliException("the copy of " + rel + " differs from the source");
      }
    }
  }

  private static List<Path> list(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.map(root::relativize).sorted().toList();
    }
  }
}
