package io.shoal.node.net;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lets a message about one subject (a peer address) through once per interval, so a peer that keeps
 * retrying with the wrong key costs one log line, not thousands. Bounded; thread-safe.
 */
final class LogLimiter {
  private static final int MAX_SUBJECTS = 1024;

  private final long intervalNanos;
  private final Map<String, Long> lastLogged =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > MAX_SUBJECTS;
        }
      };

  LogLimiter(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  synchronized boolean allow(String subject, long nowNanos) {
    Long last = lastLogged.get(subject);
    if (last != null && nowNanos - last < intervalNanos) {
      return false;
    }
    lastLogged.put(subject, nowNanos);
    return true;
  }
}
