package io.shoal.node.security;

import java.io.IOException;

/**
 * A credential file or directory that cannot be used, with a one-line message naming it and saying
 * what to do. Never carries a stack trace worth showing an operator.
 */
public final class CredentialException extends IOException {
  private static final long serialVersionUID = 1L;

  public CredentialException(String message) {
    super(message);
  }

  CredentialException(String message, Throwable cause) {
    super(message, cause);
  }
}
