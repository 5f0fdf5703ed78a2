package io.shoal.node;

import io.shoal.gossip.views.ViewConfig;
import java.util.Objects;

/**
 * How a node keeps its membership: full (SWIM and anti-entropy over every member, the default) or
 * partial views (HyParView and Plumtree, {@link ViewDriver}), for clusters past what full
 * membership holds.
 *
 * @param views the views' sizes and timers; null for full membership
 */
public record MembershipMode(ViewConfig views) {
  /** Full membership: every node knows every member and gossips catalogs by anti-entropy. */
  public static final MembershipMode FULL = new MembershipMode(null);

  /** Partial views with {@code config}'s sizes and timers. */
  public static MembershipMode views(ViewConfig config) {
    return new MembershipMode(Objects.requireNonNull(config, "config"));
  }

  /**
   * Partial views of {@code active} links and {@code passive} known peers, the other settings the
   * defaults.
   *
   * @throws IllegalArgumentException when a size is outside what {@link ViewConfig} accepts
   */
  public static MembershipMode views(int active, int passive) {
    ViewConfig d = ViewConfig.defaults();
    return views(
        new ViewConfig(
            active,
            passive,
            d.activeWalkHops(),
            d.passiveWalkHops(),
            d.shuffleActive(),
            d.shufflePassive(),
            d.shuffleIntervalNanos(),
            d.repairIntervalNanos(),
            d.lazyFlushNanos(),
            d.graftTimeoutNanos(),
            d.graftRetryNanos()));
  }

  public boolean isViews() {
    return views != null;
  }

  /** As {@code --membership} names it. */
  @Override
  public String toString() {
    return isViews()
        ? "views (active " + views.activeViewSize() + ", passive " + views.passiveViewSize() + ")"
        : "full";
  }
}
