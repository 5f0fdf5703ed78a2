package io.shoal.gossip;

import java.time.Duration;

/**
 * Timers and bounds of the gossip core. Defaults suit a LAN; tests shrink the timers.
 *
 * @param probeIntervalNanos time between probes (scaled by local health)
 * @param probeTimeoutNanos wait for a direct ack before asking others to probe
 * @param indirectChecks members asked to probe on our behalf (SWIM's k)
 * @param suspicionMult suspicion timeout in probe intervals, times log10 of the cluster size
 * @param suspicionMaxTimeoutMult the timeout starts at this multiple of the minimum and falls
 *     toward it as other members confirm the suspicion (Lifeguard)
 * @param retransmitMult each update is sent this many times log10(cluster size)
 * @param gossipIntervalNanos time between pushes of pending updates
 * @param gossipFanout members each push goes to
 * @param pushPullIntervalNanos time between full anti-entropy exchanges (scaled with size)
 * @param deadRetentionNanos a dead member stays in the member table this long
 * @param reconnectIntervalNanos time between attempts to reach a dead member or a seed
 * @param reconnectMaxBackoffNanos cap of one target's backoff
 * @param reconnectExpiryNanos a dead member stays on the reconnect list this long
 * @param maxLocalHealth cap of the local health multiplier (Lifeguard)
 */
public record GossipConfig(
    long probeIntervalNanos,
    long probeTimeoutNanos,
    int indirectChecks,
    int suspicionMult,
    int suspicionMaxTimeoutMult,
    int retransmitMult,
    long gossipIntervalNanos,
    int gossipFanout,
    long pushPullIntervalNanos,
    long deadRetentionNanos,
    long reconnectIntervalNanos,
    long reconnectMaxBackoffNanos,
    long reconnectExpiryNanos,
    int maxLocalHealth) {

  /** Most updates piggybacked on one probe or push. */
  public static final int MAX_PIGGYBACK_UPDATES = 32;

  /** Budget of piggybacked updates in one message, in estimated bytes. */
  public static final int MAX_PIGGYBACK_BYTES = 16 * 1024;

  /** Most member records in one sync message. */
  public static final int MAX_SYNC_MEMBERS = 256;

  /** Most owner digests in one sync message. */
  public static final int MAX_DIGEST_ENTRIES = 512;

  /** Budget of catalog deltas in one sync message, in estimated bytes. */
  public static final int MAX_SYNC_DELTA_BYTES = 256 * 1024;

  /** Most members in the member table, self included; dead and departed ones go first. */
  public static final int MAX_MEMBERS = 16_384;

  /** Most owners whose maps a node keeps, self included. */
  public static final int MAX_OWNERS = 16_384;

  /** Most snapshot names in one owner's map. */
  public static final int MAX_NAMES_PER_OWNER = 4096;

  /** Most credentials one owner's map carries (its own and its publishers'). */
  public static final int MAX_CREDENTIALS_PER_OWNER = 256;

  /** Most entries on the reconnect list (seeds come on top). */
  public static final int MAX_RECONNECT_ENTRIES = 1024;

  public GossipConfig {
    if (probeIntervalNanos <= 0
        || probeTimeoutNanos <= 0
        || probeTimeoutNanos >= probeIntervalNanos
        || indirectChecks < 0
        || suspicionMult < 1
        || suspicionMaxTimeoutMult < 1
        || retransmitMult < 1
        || gossipIntervalNanos <= 0
        || gossipFanout < 1
        || pushPullIntervalNanos <= 0
        || deadRetentionNanos < 0
        || reconnectIntervalNanos <= 0
        || reconnectMaxBackoffNanos < reconnectIntervalNanos
        || reconnectExpiryNanos < 0
        || maxLocalHealth < 0) {
      throw new IllegalArgumentException("inconsistent gossip config " + this);
    }
  }

  /** LAN defaults: 1 s probes, suspicion from ~5 s, dead members retried for 6 hours. */
  public static GossipConfig defaults() {
    return new GossipConfig(
        nanos(Duration.ofSeconds(1)),
        nanos(Duration.ofMillis(500)),
        3,
        4,
        6,
        4,
        nanos(Duration.ofMillis(200)),
        3,
        nanos(Duration.ofSeconds(4)),
        nanos(Duration.ofSeconds(60)),
        nanos(Duration.ofSeconds(2)),
        nanos(Duration.ofSeconds(5)),
        nanos(Duration.ofHours(6)),
        8);
  }

  /** Every timer divided by {@code factor}, for tests and simulations that want speed. */
  public GossipConfig scaledDown(int factor) {
    return new GossipConfig(
        probeIntervalNanos / factor,
        probeTimeoutNanos / factor,
        indirectChecks,
        suspicionMult,
        suspicionMaxTimeoutMult,
        retransmitMult,
        gossipIntervalNanos / factor,
        gossipFanout,
        pushPullIntervalNanos / factor,
        deadRetentionNanos / factor,
        reconnectIntervalNanos / factor,
        reconnectMaxBackoffNanos / factor,
        reconnectExpiryNanos / factor,
        maxLocalHealth);
  }

  private static long nanos(Duration d) {
    return d.toNanos();
  }
}
