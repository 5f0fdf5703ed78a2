package io.shoal.node.core;

/**
 * When a fetch that makes no progress is given up, so that a caller waiting on it hears why rather
 * than waiting forever: soon when no usable peer is left, later when peers remain but deliver
 * nothing. Pure.
 */
public final class StallPolicy {
  /** No progress this long with no usable peer: no reachable member holds the snapshot. */
  public static final long NO_PEER_TIMEOUT_NANOS = 30_000_000_000L;

  /** No progress this long at all, whatever the peers. */
  public static final long STALL_TIMEOUT_NANOS = 120_000_000_000L;

  /** Whether to go on with a fetch, and if not, why. */
  public enum Verdict {
    /** Go on. */
    GO_ON,
    /** No usable peer for {@link #NO_PEER_TIMEOUT_NANOS}. */
    NO_PEER,
    /** No progress for {@link #STALL_TIMEOUT_NANOS}. */
    NO_PROGRESS
  }

  private StallPolicy() {}

  /**
   * @param sinceProgressNanos how long since the fetch last verified a chunk (or started)
   * @param activePeers its usable (not banned) peers now
   */
  public static Verdict check(long sinceProgressNanos, int activePeers) {
    if (activePeers == 0 && sinceProgressNanos > NO_PEER_TIMEOUT_NANOS) {
      return Verdict.NO_PEER;
    }
    if (sinceProgressNanos > STALL_TIMEOUT_NANOS) {
      return Verdict.NO_PROGRESS;
    }
    return Verdict.GO_ON;
  }
}
