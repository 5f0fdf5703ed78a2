package io.shoal.gossip;

import java.util.EnumMap;

/** Claims a core refused since it started, by reason. Not thread-safe. */
final class RefusedClaims {
  private final EnumMap<ClaimRefusal, Long> counts = new EnumMap<>(ClaimRefusal.class);

  void add(ClaimRefusal reason) {
    counts.merge(reason, 1L, Long::sum);
  }

  long count(ClaimRefusal reason) {
    return counts.getOrDefault(reason, 0L);
  }
}
