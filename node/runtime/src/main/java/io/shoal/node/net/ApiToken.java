package io.shoal.node.net;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The bearer token that every state route of the HTTP API requires: {@value #TOKEN_BYTES} random
 * bytes from {@link SecureRandom}, new at every start, written into the data directory for the
 * node's own user (see {@code DataDirFiles}).
 *
 * <p>Only the SHA-256 digest of the token is compared, with {@link MessageDigest#isEqual}: the
 * comparison takes the same time whatever the presented bytes, and equal-length digests leave not
 * even the token's length to learn by timing.
 */
public final class ApiToken {
  /** 256 bits. */
  static final int TOKEN_BYTES = 32;

  private final String value;
  private final byte[] digest;

  private ApiToken(String value) {
    this.value = value;
    this.digest = sha256(value);
  }

  /** A fresh token from a strong random source. */
  public static ApiToken generate() {
    byte[] bytes = new byte[TOKEN_BYTES];
    new SecureRandom().nextBytes(bytes);
    return new ApiToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
  }

  /** The token as clients send it (base64url, no padding); a secret: never log it. */
  public String value() {
    return value;
  }

  /** Whether {@code presented} is this token, in time independent of where they differ. */
  boolean matches(String presented) {
    return presented != null && MessageDigest.isEqual(digest, sha256(presented));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "ApiToken[redacted]";
  }
}
