package io.shoal.node.net;

import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a browser signs in to the dashboard without ever holding the API token: {@code shoal ui}
 * (with the token) asks for a sign-in link carrying a one-time secret; the browser opening it
 * exchanges that secret for a session cookie ({@code HttpOnly}, {@code SameSite=Strict}, {@code
 * Path=/}, named for this node since cookies ignore ports); the cookie then reads the few GET
 * routes the page polls ({@link #readablePaths}) and nothing else. State-changing routes never
 * accept it: with the cookie alone a forged cross-site request could act, so they stay bearer-only.
 *
 * <p>Every secret is {@value #SECRET_BYTES} random bytes; only its SHA-256 is kept, so a map lookup
 * by digest leaks nothing usable by timing. Links live {@link #LINK_TTL}, are used once, and at
 * most {@link #MAX_LINKS} are outstanding; sessions live {@link #SESSION_TTL} and at most {@link
 * #MAX_SESSIONS} exist (a new one evicts the oldest). Redeeming is bounded to {@link
 * #MAX_REDEEMS_PER_WINDOW} attempts per {@link #REDEEM_WINDOW}, used or not. Thread-safe; times are
 * the caller's {@link System#nanoTime} readings.
 */
public final class BrowserLogin {
  /** How long a sign-in link works: long enough to paste it, short enough to leak harmlessly. */
  public static final Duration LINK_TTL = Duration.ofSeconds(60);

  /** Sign-in links outstanding at once. */
  public static final int MAX_LINKS = 8;

  /** How long a browser session lasts from sign-in; the cookie's Max-Age says the same. */
  public static final Duration SESSION_TTL = Duration.ofHours(12);

  /** Browser sessions at once; a new one evicts the oldest. */
  public static final int MAX_SESSIONS = 16;

  /** Sign-in attempts (good or bad) per {@link #REDEEM_WINDOW}; further ones answer 429. */
  public static final int MAX_REDEEMS_PER_WINDOW = 20;

  public static final Duration REDEEM_WINDOW = Duration.ofMinutes(1);

  /** 256 bits per link or session secret. */
  static final int SECRET_BYTES = 32;

  /** Characters of a secret as sent: base64url without padding of {@link #SECRET_BYTES}. */
  static final int SECRET_CHARS = (SECRET_BYTES * 8 + 5) / 6;

  private static final Logger log = LoggerFactory.getLogger(BrowserLogin.class);

  /** What a sign-in attempt came to. */
  public enum Outcome {
    /** A new session: set its cookie. */
    SIGNED_IN,
    /** The link is unknown, used or expired. */
    REFUSED,
    /** Too many attempts in this window. */
    TOO_MANY
  }

  /**
   * The outcome of a sign-in attempt.
   *
   * @param secret the new session's secret when signed in (goes only into the cookie), else null
   */
  public record SignIn(Outcome outcome, String secret) {
    @Override
    public String toString() {
      return "SignIn[" + outcome + "]";
    }
  }

  private final String cookieName;
  private final boolean secure;
  private final Set<String> readablePaths;
  private final SecureRandom random = new SecureRandom();

  /** Digest (hex) to expiry, oldest first. */
  private final Map<String, Long> links = new LinkedHashMap<>();

  private final Map<String, Long> sessions = new LinkedHashMap<>();
  private long windowStartNanos;
  private boolean windowStarted;
  private int redeemsInWindow;

  /**
   * @param cookieName the session cookie's name, unique to this node
   * @param secure whether the API speaks HTTPS (the cookie is then {@code Secure})
   * @param readablePaths the GET paths the cookie may read
   */
  public BrowserLogin(String cookieName, boolean secure, Set<String> readablePaths) {
    this.cookieName = cookieName;
    this.secure = secure;
    this.readablePaths = Set.copyOf(readablePaths);
  }

  /** The cookie name for the node whose id is {@code nodeIdHex}: cookies ignore ports. */
  public static String cookieNameFor(String nodeIdHex) {
    return "shoal-" + nodeIdHex.substring(0, Math.min(16, nodeIdHex.length()));
  }

  /** A new one-time sign-in secret, valid for {@link #LINK_TTL}. */
  public synchronized String issueLink(long nowNanos) throws RetryLaterException {
    purge(links, nowNanos);
    if (links.size() >= MAX_LINKS) {
      throw new RetryLaterException(
          MAX_LINKS + " sign-in links are outstanding; each expires within " + LINK_TTL, 1);
    }
    String secret = newSecret();
    links.put(digest(secret), nowNanos + LINK_TTL.toNanos());
    return secret;
  }

  /** Exchanges a link's secret for a session; the link is spent whatever the outcome. */
  public synchronized SignIn redeem(String linkSecret, long nowNanos) {
    if (!windowStarted || nowNanos - windowStartNanos >= REDEEM_WINDOW.toNanos()) {
      windowStarted = true;
      windowStartNanos = nowNanos;
      redeemsInWindow = 0;
    }
    if (++redeemsInWindow > MAX_REDEEMS_PER_WINDOW) {
      return new SignIn(Outcome.TOO_MANY, null);
    }
    purge(links, nowNanos);
    if (!wellFormed(linkSecret) || links.remove(digest(linkSecret)) == null) {
      return new SignIn(Outcome.REFUSED, null);
    }
    purge(sessions, nowNanos);
    Iterator<String> oldest = sessions.keySet().iterator();
    if (sessions.size() >= MAX_SESSIONS) {
      oldest.next();
      oldest.remove();
      log.info("dashboard: {} browser sessions; signed out the oldest", MAX_SESSIONS);
    }
    String secret = newSecret();
    sessions.put(digest(secret), nowNanos + SESSION_TTL.toNanos());
    log.info(
        "dashboard: a browser signed in ({} of at most {} sessions)",
        sessions.size(),
        MAX_SESSIONS);
    return new SignIn(Outcome.SIGNED_IN, secret);
  }

  /** The {@code Set-Cookie} value that holds {@code sessionSecret}. */
  public String setCookie(String sessionSecret) {
    return cookieName
        + "="
        + sessionSecret
        + "; Path=/; Max-Age="
        + SESSION_TTL.toSeconds()
        + "; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : "");
  }

  /** Whether the cookie may read {@code path} (GET or HEAD only). */
  boolean isReadable(String path) {
    return readablePaths.contains(path);
  }

  /**
   * Whether {@code cookieHeaders} carry this node's session cookie at all (another node's on the
   * same host is not).
   */
  boolean hasCookie(List<String> cookieHeaders) {
    return cookieHeaders.stream()
        .flatMap(h -> ServerCookieDecoder.STRICT.decodeAll(h).stream())
        .anyMatch(c -> c.name().equals(cookieName));
  }

  /** Whether {@code cookieHeaders} carry a live session of this node. */
  synchronized boolean isSession(List<String> cookieHeaders, long nowNanos) {
    purge(sessions, nowNanos);
    for (String header : cookieHeaders) {
      for (Cookie c : ServerCookieDecoder.STRICT.decodeAll(header)) {
        if (c.name().equals(cookieName)
            && wellFormed(c.value())
            && sessions.containsKey(digest(c.value()))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Sessions alive now, for tests. */
  synchronized int sessionCount(long nowNanos) {
    purge(sessions, nowNanos);
    return sessions.size();
  }

  private static void purge(Map<String, Long> expiries, long nowNanos) {
    expiries.values().removeIf(expiresAt -> nowNanos - expiresAt >= 0);
  }

  private static boolean wellFormed(String secret) {
    return secret != null && secret.length() == SECRET_CHARS;
  }

  private String newSecret() {
    byte[] bytes = new byte[SECRET_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String digest(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "BrowserLogin[" + cookieName + "]";
  }
}
