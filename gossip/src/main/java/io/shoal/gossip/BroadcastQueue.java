package io.shoal.gossip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Updates waiting to be piggybacked, after memberlist's {@code TransmitLimitedQueue}: each is sent
 * a limited number of times (a multiple of log10 of the cluster size), those sent least often go
 * first (newest first among equals), and a newer update about the same subject replaces the older
 * one instead of queueing behind it.
 *
 * <p>Bounded: past {@link #MAX_ITEMS}, the most-transmitted item is dropped. Not thread-safe.
 */
final class BroadcastQueue {
  static final int MAX_ITEMS = 4096;

  private static final class Item {
    final GossipUpdate update;
    final long order;
    int transmits;

    Item(GossipUpdate update, long order) {
      this.update = update;
      this.order = order;
    }
  }

  private static final Comparator<Item> FEWEST_TRANSMITS_NEWEST_FIRST =
      Comparator.<Item>comparingInt(i -> i.transmits).thenComparing(i -> -i.order);

  private final Map<Object, Item> byKey = new HashMap<>();
  private final TreeSet<Item> ordered = new TreeSet<>(FEWEST_TRANSMITS_NEWEST_FIRST);
  private long nextOrder;

  /** Queues the update, replacing any queued update about the same subject. */
  void add(GossipUpdate update) {
    Item old = byKey.remove(update.key());
    if (old != null) {
      ordered.remove(old);
    }
    Item item = new Item(update, nextOrder++);
    byKey.put(update.key(), item);
    ordered.add(item);
    if (ordered.size() > MAX_ITEMS) {
      Item dropped = ordered.pollLast();
      byKey.remove(dropped.update.key());
    }
  }

  /**
   * Takes up to {@code maxItems} updates within {@code maxBytes}, counting one transmission each
   * and dropping those that reach {@code retransmitLimit}.
   */
  List<GossipUpdate> take(int maxItems, int maxBytes, int retransmitLimit) {
    List<GossipUpdate> out = new ArrayList<>();
    List<Item> sent = new ArrayList<>();
    int bytes = 0;
    for (Item item : ordered) {
      if (out.size() >= maxItems) {
        break;
      }
      int size = item.update.estimatedBytes();
      if (bytes + size > maxBytes) {
        continue;
      }
      bytes += size;
      out.add(item.update);
      sent.add(item);
    }
    for (Item item : sent) {
      ordered.remove(item);
      item.transmits++;
      if (item.transmits >= retransmitLimit) {
        byKey.remove(item.update.key());
      } else {
        ordered.add(item);
      }
    }
    return out;
  }

  boolean isEmpty() {
    return ordered.isEmpty();
  }

  int size() {
    return ordered.size();
  }
}
