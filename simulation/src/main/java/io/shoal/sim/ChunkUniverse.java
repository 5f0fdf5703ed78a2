package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every chunk of a run, numbered: nodes keep what they hold as bit sets over these numbers, so ten
 * thousand stores cost ten thousand small bitmaps rather than ten thousand hash sets.
 */
final class ChunkUniverse {
  private final List<ChunkId> ids = new ArrayList<>();
  private final List<Integer> sizes = new ArrayList<>();
  private final Map<ChunkId, Integer> index = new HashMap<>();

  /** The number of {@code id}, adding it if new. */
  int add(ChunkId id, int sizeBytes) {
    Integer known = index.get(id);
    if (known != null) {
      return known;
    }
    int i = ids.size();
    ids.add(id);
    sizes.add(sizeBytes);
    index.put(id, i);
    return i;
  }

  /** The number of {@code id}, or -1. */
  int indexOf(ChunkId id) {
    Integer i = index.get(id);
    return i == null ? -1 : i;
  }

  ChunkId id(int i) {
    return ids.get(i);
  }

  int size(int i) {
    return sizes.get(i);
  }

  int count() {
    return ids.size();
  }
}
