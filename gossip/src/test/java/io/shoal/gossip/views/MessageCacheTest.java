package io.shoal.gossip.views;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MessageCacheTest {
  @Test
  void put_pastCapacity_keepsExactlyTheNewestEntries() {
    MessageCache cache = new MessageCache(64);
    SplittableRandom random = new SplittableRandom(7);
    ArrayDeque<Long> newest = new ArrayDeque<>();
    Set<Long> ever = new HashSet<>();
    for (int i = 0; i < 5_000; i++) {
      long id = random.nextLong(300); // small range: probe runs collide and wrap
      if (newest.contains(id)) {
        continue;
      }
      byte[] payload = new byte[] {(byte) id};
      cache.put(id, payload);
      ever.add(id);
      newest.addLast(id);
      if (newest.size() > 64) {
        newest.removeFirst();
      }
      assertThat(cache.size()).isEqualTo(newest.size());
      for (long e : ever) {
        assertThat(cache.contains(e)).as("id %d after %d puts", e, i).isEqualTo(newest.contains(e));
      }
      assertThat(cache.get(id)).isSameAs(payload);
    }
  }
}
