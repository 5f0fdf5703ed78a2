package io.shoal.cli;

/** A failure the user can act on, reported as its message alone. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }
}
