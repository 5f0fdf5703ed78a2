package io.shoal.node.net;

import java.util.HashMap;
import java.util.Map;

/**
 * Bounds the connections that have not authenticated yet: at most {@code maxPerAddress} from one
 * remote address and {@code maxTotal} in all. A connection takes a place when accepted and gives it
 * back once, when it authenticates or closes. Thread-safe.
 */
final class HandshakeQuota {
  /** Why a connection got no place; {@link #label} is its metric label. */
  enum Refusal {
    PER_ADDRESS("too_many_unauthenticated_from_address"),
    TOTAL("too_many_unauthenticated");

    private final String label;

    Refusal(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  private final int maxPerAddress;
  private final int maxTotal;
  private final Map<String, Integer> byAddress = new HashMap<>();
  private int total;

  HandshakeQuota(int maxPerAddress, int maxTotal) {
    if (maxPerAddress < 1 || maxTotal < maxPerAddress) {
      throw new IllegalArgumentException(
          "quota of " + maxPerAddress + " per address and " + maxTotal + " in all");
    }
    this.maxPerAddress = maxPerAddress;
    this.maxTotal = maxTotal;
  }

  /** Takes a place for a connection from {@code address}, or says why there is none. */
  synchronized Refusal tryAcquire(String address) {
    if (total >= maxTotal) {
      return Refusal.TOTAL;
    }
    int n = byAddress.getOrDefault(address, 0);
    if (n >= maxPerAddress) {
      return Refusal.PER_ADDRESS;
    }
    byAddress.put(address, n + 1);
    total++;
    return null;
  }

  synchronized void release(String address) {
    Integer n = byAddress.get(address);
    if (n == null) {
      throw new IllegalStateException("no place taken for " + address);
    }
    if (n == 1) {
      byAddress.remove(address);
    } else {
      byAddress.put(address, n - 1);
    }
    total--;
  }

  synchronized int total() {
    return total;
  }
}
