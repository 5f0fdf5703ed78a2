package io.shoal.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Compares directory trees: same paths, kinds, permission bits and bytes. */
public final class TreeAssert {
  private TreeAssert() {}

  /** Throws an AssertionError naming the first difference. */
  public static void assertSameTree(Path expected, Path actual) throws IOException {
    List<Path> a = list(expected);
    List<Path> b = list(actual);
    if (!a.equals(b)) {
      throw new AssertionError("different entries:\nexpected " + a + "\nactual   " + b);
    }
    for (Path rel : a) {
      Path x = expected.resolve(rel);
      Path y = actual.resolve(rel);
      if (Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS)
          != Files.isDirectory(y, LinkOption.NOFOLLOW_LINKS)) {
        throw new AssertionError(rel + ": kind differs");
      }
      if (!Files.getPosixFilePermissions(x).equals(Files.getPosixFilePermissions(y))) {
        throw new AssertionError(
            rel
                + ": permissions "
                + Files.getPosixFilePermissions(x)
                + " vs "
                + Files.getPosixFilePermissions(y));
      }
      if (Files.isRegularFile(x) && !Arrays.equals(Files.readAllBytes(x), Files.readAllBytes(y))) {
        throw new AssertionError(rel + ": bytes differ");
      }
    }
  }

  private static List<Path> list(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      List<Path> out = new ArrayList<>();
      s.filter(p -> !p.equals(root)).map(root::relativize).sorted().forEach(out::add);
      return out;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
