package io.shoal.chunkstore;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** One line for an operator out of an I/O failure, whose own message is often just a path. */
public final class IoErrors {
  private IoErrors() {}

  public static String describe(IOException ex) {
    if (ex instanceof NoSuchFileException e) {
      return "no such file or directory: "
          + e.getFile()
          + (e.getReason() == null ? "" : " (" + e.getReason() + ")");
    }
    if (ex instanceof AccessDeniedException e) {
      return "permission denied: " + e.getFile();
    }
    if (ex instanceof FileAlreadyExistsException e) {
      return e.getFile() + (e.getReason() == null ? " already exists" : " " + e.getReason());
    }
    if (ex instanceof DirectoryNotEmptyException e) {
      return "directory is not empty: " + e.getFile();
    }
    if (ex instanceof FileSystemException e && e.getReason() != null) {
      return e.getReason() + ": " + e.getFile();
    }
    if (ex.getMessage() == null) {
      return ex.getClass().getSimpleName();
    }
    return ex.getMessage();
  }
}
