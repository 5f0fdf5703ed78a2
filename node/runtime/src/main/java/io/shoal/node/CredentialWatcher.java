package io.shoal.node;

import io.shoal.node.net.PeerTransport;
import io.shoal.node.security.CredentialException;
import io.shoal.node.security.CredentialsListener;
import io.shoal.node.security.NodeCredentials;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads a running node's credential directory every {@link #CHECK_SECONDS} and applies what
 * changed without a restart: a renewed certificate (new TLS contexts, connections re-established
 * with it), a new revocation list (revoked peers refused from then on and their connections
 * closed). A directory that no longer loads (an expired renewal, a half-copied file) is logged once
 * and the node keeps its current credentials. Owns one daemon thread, stopped by {@link #close}.
 */
final class CredentialWatcher implements AutoCloseable {
  /** How often the directory is compared with what was loaded. */
  static final long CHECK_SECONDS = 5;

  /** A certificate expiring within this is worth a warning at start and at every reload. */
  static final Duration EXPIRY_WARNING = Duration.ofDays(30);

  private static final Logger log = LoggerFactory.getLogger(CredentialWatcher.class);

  private final PeerTransport transport;
  private final List<CredentialsListener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer;
  private volatile NodeCredentials current;
  private byte[] digest;
  private byte[] failedDigest;

  CredentialWatcher(NodeCredentials initial, PeerTransport transport) {
    this.current = initial;
    this.transport = transport;
    this.digest = NodeCredentials.contentDigest(initial.dir());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "shoal-credentials");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(this::check, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
  }

  NodeCredentials current() {
    return current;
  }

  void addListener(CredentialsListener l) {
    listeners.add(l);
  }

  /** Logs a warning when {@code c} expires within {@link #EXPIRY_WARNING} of {@code now}. */
  static void warnIfExpiring(NodeCredentials c, Instant now) {
    Duration left = Duration.between(now, c.notAfter());
    if (left.compareTo(EXPIRY_WARNING) < 0) {
      log.warn(
          "this node's certificate in {} expires in {} days ({}); renew it with 'shoal cluster"
              + " issue CA_DIR --out {}'",
          c.dir(),
          left.toDays(),
          c.notAfter(),
          c.dir());
    }
  }

  /** One look at the directory: loads and applies it when its bytes changed since the last load. */
  void check() {
    try {
      byte[] now = NodeCredentials.contentDigest(current.dir());
      if (Arrays.equals(now, digest) || Arrays.equals(now, failedDigest)) {
        return;
      }
      NodeCredentials fresh;
      try {
        fresh = NodeCredentials.load(current.dir(), Instant.now());
      } catch (CredentialException e) {
        failedDigest = now;
        log.warn(
            "credential directory changed but cannot be used; keeping the current credentials: {}",
            e.getMessage());
        return;
      }
      NodeCredentials old = current;
      if (!fresh.nodeId().equals(old.nodeId())) {
        failedDigest = now;
        log.warn(
            "{} now holds the key of node {}, not of this node {}; a new key needs a restart",
            old.dir(),
            fresh.nodeId().shortHex(),
            old.nodeId().shortHex());
        return;
      }
      boolean renewed = !Arrays.equals(fresh.certificateDer(), old.certificateDer());
      int closed = transport.updateCredentials(fresh, renewed);
      current = fresh;
      digest = now;
      failedDigest = null;
      log.info(
          "credentials reloaded from {}: certificate {} (valid until {}), {} revoked id(s); closed {} connection(s)",
          fresh.dir(),
          renewed ? "renewed" : "unchanged",
          fresh.notAfter(),
          fresh.trust().revocations().ids().size(),
          closed);
      warnIfExpiring(fresh, Instant.now());
      for (CredentialsListener l : listeners) {
        l.credentialsChanged(fresh);
      }
    } catch (SSLException | RuntimeException e) {
      // A scheduled task that throws is never run again: log it and look again next tick.
      log.warn("reloading credentials failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
