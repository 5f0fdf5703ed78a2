package io.shoal.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BroadcastQueueTest {
  static MemberUpdate alive(int id, long incarnation) {
    NodeId n = new NodeId(0, id);
    return new MemberUpdate(
        n, new Endpoint("h", 1), incarnation, MemberState.ALIVE, n, Signature.NONE);
  }

  @Test
  void newerUpdate_supersedesTheQueuedOne() {
    BroadcastQueue q = new BroadcastQueue();
    q.add(alive(1, 1));
    q.add(alive(1, 2));
    assertThat(q.size()).isEqualTo(1);
    assertThat(q.take(10, 10_000, 3)).containsExactly(alive(1, 2));
  }

  @Test
  void take_stopsAtTheRetransmitLimit() {
    BroadcastQueue q = new BroadcastQueue();
    q.add(alive(1, 1));
    for (int i = 0; i < 3; i++) {
      assertThat(q.take(10, 10_000, 3)).hasSize(1);
    }
    assertThat(q.take(10, 10_000, 3)).isEmpty();
    assertThat(q.isEmpty()).isTrue();
  }

  @Test
  void take_prefersTheLeastSentThenTheNewest() {
    BroadcastQueue q = new BroadcastQueue();
    q.add(alive(1, 1));
    q.take(10, 10_000, 5);
    q.add(alive(2, 1));
    q.add(alive(3, 1));
    assertThat(q.take(2, 10_000, 5)).containsExactly(alive(3, 1), alive(2, 1));
  }

  @Test
  void take_respectsTheByteBudget() {
    BroadcastQueue q = new BroadcastQueue();
    for (int i = 0; i < 10; i++) {
      q.add(alive(i, 1));
    }
    int one = alive(0, 1).estimatedBytes();
    assertThat(q.take(10, one * 3, 5)).hasSize(3);
  }

  @Test
  void queue_isBounded() {
    BroadcastQueue q = new BroadcastQueue();
    for (int i = 0; i < BroadcastQueue.MAX_ITEMS + 100; i++) {
      q.add(alive(i, 1));
    }
    assertThat(q.size()).isEqualTo(BroadcastQueue.MAX_ITEMS);
  }
}
