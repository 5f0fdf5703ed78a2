package io.shoal.chunkstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Durable file replacement: temporary file, fsync, atomic rename, fsync of the directory. */
public final class AtomicFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private AtomicFiles() {}

  /**
   * Replaces {@code target} with {@code bytes} so that after a crash at any instant the file holds
   * either the old bytes or the new ones, never a mix.
   */
  public static void write(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      writeFully(ch, bytes);
    }
    move(tmp, target);
  }

  /**
   * Replaces {@code target} as {@link #write} does, with a file only its owner can read or write
   * (0600) from the instant it exists: for secrets such as the HTTP API's token.
   *
   * <p>The temporary file is created anew ({@code CREATE_NEW}) with the permissions given at
   * creation, so no other user ever holds it open, and no leftover from an earlier run lends it its
   * mode. On a file system without POSIX permissions it is created with the defaults.
   */
  public static void writePrivate(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    boolean posix =
        Files.getFileStore(target.toAbsolutePath().getParent()).supportsFileAttributeView("posix");
    FileAttribute<?>[] ownerOnly =
        posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
            : new FileAttribute<?>[0];
    try (FileChannel ch =
        FileChannel.open(
            tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly)) {
      writeFully(ch, bytes);
    }
    move(tmp, target);
  }

  private static void writeFully(FileChannel ch, byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      ch.write(b);
    }
    ch.force(true);
  }

  /** Renames atomically and makes the rename durable. */
  /**
   * Creates {@code dir} (and missing parents) with the leaf readable only by its owner, as a data
   * directory holding snapshot bytes and the API token must be. An existing directory is left as it
   * is; returns whether others can read or enter it, so the caller can warn.
   */
  public static boolean createPrivateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        Files.createDirectory(
            dir,
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.util.EnumSet.of(
                    PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE)));
      } catch (UnsupportedOperationException e) {
        Files.createDirectories(dir); // not a POSIX file system
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // created by someone else meanwhile; checked below like any existing directory
      }
    }
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
      return p.contains(PosixFilePermission.GROUP_READ)
          || p.contains(PosixFilePermission.OTHERS_READ)
          || p.contains(PosixFilePermission.GROUP_EXECUTE)
          || p.contains(PosixFilePermission.OTHERS_EXECUTE);
    } catch (UnsupportedOperationException e) {
      return false;
    }
  }

  public static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + to + " cannot rename atomically", e);
    }
    syncDirectory(to.toAbsolutePath().getParent());
  }

  /** Makes the directory's entries (creations, renames, deletions) durable. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
