package io.shoal.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A directory for one capture or one published stream, deleted with everything in it when closed.
 * It sits in the scratch root, which the node must be able to read.
 */
final class Scratch implements AutoCloseable {
  private final Path dir;

  private Scratch(Path dir) {
    this.dir = dir;
  }

  static Scratch in(Path root) throws IOException {
    Files.createDirectories(root);
    return new Scratch(Files.createTempDirectory(root, "shoal-publish-"));
  }

  /** Where a capture writes: inside the scratch directory, not yet existing. */
  Path target() {
    return dir.resolve("state");
  }

  /** Copies {@code in} to {@link #target} and returns it. */
  Path write(InputStream in) throws IOException {
    Files.copy(in, target());
    return target();
  }

  @Override
  public void close() throws IOException {
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
