package io.shoal.gossip.views;

/**
 * The sizes and timers of {@link ViewCore}. The defaults are the papers' for clusters of 10^4 to
 * 10^5 nodes: an active view of about log10(N) + 1 links, a passive view of 30, random walks of 6
 * and 3 hops, a shuffle of 3 active and 4 passive peers.
 *
 * @param activeViewSize links each node keeps open and broadcasts over
 * @param passiveViewSize peers known but not linked, promoted when a link fails
 * @param activeWalkHops hops a FORWARD_JOIN walks before its end links the joiner (ARWL)
 * @param passiveWalkHops the hop count at which a walk leaves the joiner in a passive view (PRWL)
 * @param shuffleActive active peers a shuffle sends (ka)
 * @param shufflePassive passive peers a shuffle sends (kp)
 * @param shuffleIntervalNanos how often a node shuffles
 * @param repairIntervalNanos how often a node with a free active slot tries its passive view again
 * @param lazyFlushNanos how long announcements (IHAVE) wait to be sent in one batch per link
 * @param graftTimeoutNanos how long an announced message may stay missing before a GRAFT asks for
 *     it
 * @param graftRetryNanos how long a GRAFT waits before the next announcer is asked
 */
public record ViewConfig(
    int activeViewSize,
    int passiveViewSize,
    int activeWalkHops,
    int passiveWalkHops,
    int shuffleActive,
    int shufflePassive,
    long shuffleIntervalNanos,
    long repairIntervalNanos,
    long lazyFlushNanos,
    long graftTimeoutNanos,
    long graftRetryNanos) {

  /** Active view size by default: log10(100,000) + 1, the paper's choice. */
  public static final int DEFAULT_ACTIVE_VIEW_SIZE = 6;

  /** Largest active view a configuration may ask for. */
  public static final int MAX_ACTIVE_VIEW_SIZE = 16;

  /** Passive view size by default, the paper's. */
  public static final int DEFAULT_PASSIVE_VIEW_SIZE = 30;

  /** Largest passive view a configuration may ask for. */
  public static final int MAX_PASSIVE_VIEW_SIZE = 256;

  /** Longest random walk, in hops; a received walk with more hops left is cut to this. */
  public static final int MAX_WALK_HOPS = 16;

  /** Most peers a received SHUFFLE or SHUFFLE_REPLY may list; a longer list is refused whole. */
  public static final int MAX_SHUFFLE_PEERS = 32;

  /** Most message ids one IHAVE may carry; a longer one is refused whole. */
  public static final int MAX_IHAVE_IDS = 64;

  /** Largest broadcast payload, in bytes; a larger received one is refused. */
  public static final int MAX_PAYLOAD_BYTES = 1024;

  /** Broadcast messages each node remembers (to drop duplicates and answer GRAFTs), oldest out. */
  public static final int MESSAGE_CACHE_ENTRIES = 1024;

  /** Announced-but-missing messages each node tracks; further announcements are dropped. */
  public static final int MISSING_ENTRIES = 256;

  /** Announcers remembered per missing message (each is asked in turn). */
  public static final int MISSING_ANNOUNCERS = 4;

  /** How long a NEIGHBOR request may go unanswered before its peer counts as gone. */
  public static final long NEIGHBOR_TIMEOUT_NANOS = 2_000_000_000L;

  /** NEIGHBOR requests a node sends per repair interval, so refusals cannot make it loop. */
  public static final int MAX_PROMOTIONS_PER_REPAIR = 4;

  /**
   * Low-priority NEIGHBOR refusals in a row after which a node short of a full active view asks at
   * high priority once: without it, groups whose every node is full or linked only within its group
   * refuse each other for good, and the overlay stays cut in two (seen on 7 real nodes with active
   * views of 3: a group of 3 and a group of 4).
   */
  public static final int ESCALATE_AFTER_REFUSALS = 8;

  public ViewConfig {
    require(
        activeViewSize >= 2 && activeViewSize <= MAX_ACTIVE_VIEW_SIZE,
        "activeViewSize must be 2.." + MAX_ACTIVE_VIEW_SIZE + ", not " + activeViewSize);
    require(
        passiveViewSize >= 1 && passiveViewSize <= MAX_PASSIVE_VIEW_SIZE,
        "passiveViewSize must be 1.." + MAX_PASSIVE_VIEW_SIZE + ", not " + passiveViewSize);
    require(
        activeWalkHops >= 1 && activeWalkHops <= MAX_WALK_HOPS,
        "activeWalkHops must be 1.." + MAX_WALK_HOPS + ", not " + activeWalkHops);
    require(
        passiveWalkHops >= 0 && passiveWalkHops <= activeWalkHops,
        "passiveWalkHops must be 0..activeWalkHops, not " + passiveWalkHops);
    require(
        shuffleActive >= 0
            && shufflePassive >= 0
            && 1 + shuffleActive + shufflePassive <= MAX_SHUFFLE_PEERS,
        "a shuffle must fit " + MAX_SHUFFLE_PEERS + " peers");
    require(
        shuffleIntervalNanos > 0
            && repairIntervalNanos > 0
            && lazyFlushNanos > 0
            && graftTimeoutNanos > 0
            && graftRetryNanos > 0,
        "timers must be positive");
  }

  /** The papers' sizes, a shuffle every 10 s, announcements batched for 0.5 s. */
  public static ViewConfig defaults() {
    return new ViewConfig(
        DEFAULT_ACTIVE_VIEW_SIZE,
        DEFAULT_PASSIVE_VIEW_SIZE,
        6,
        3,
        3,
        4,
        10_000_000_000L,
        5_000_000_000L,
        500_000_000L,
        1_000_000_000L,
        500_000_000L);
  }

  /** This configuration with another active view size. */
  public ViewConfig withActiveViewSize(int size) {
    return new ViewConfig(
        size,
        passiveViewSize,
        activeWalkHops,
        passiveWalkHops,
        shuffleActive,
        shufflePassive,
        shuffleIntervalNanos,
        repairIntervalNanos,
        lazyFlushNanos,
        graftTimeoutNanos,
        graftRetryNanos);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
