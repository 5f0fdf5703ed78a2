package io.shoal.chunkstore;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The packs holding chunks made visible before they were durable ({@link
 * ChunkBatch#commitVisible()}), and the barrier that makes them durable. Thread-safe.
 */
final class UnsyncedPacks {
  private final Set<Pack> packs = ConcurrentHashMap.newKeySet();

  /** Notes packs whose records are about to become visible; called before they are indexed. */
  void addAll(Collection<Pack> touched) {
    packs.addAll(touched);
  }

  /** Forgets a pack that was forced by other means (sealed). */
  void remove(Pack pack) {
    packs.remove(pack);
  }

  int size() {
    return packs.size();
  }

  /** The barrier: every chunk made visible so far becomes durable. */
  void sync() throws IOException {
    for (Pack p : List.copyOf(packs)) {
      // Removed before the fsync: a batch that exposes more of p meanwhile adds it back.
      packs.remove(p);
      try {
        p.force();
      } catch (ClosedChannelException e) {
        // Closed packs were sealed (forced) first, or collected: nothing left to make durable.
      } catch (IOException e) {
        packs.add(p);
        throw e;
      }
    }
  }
}
