package io.shoal.gossip.views;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ViewCoreTest {
  private static final long SECOND = 1_000_000_000L;
  private static final byte[] PAYLOAD = new byte[100];

  @Test
  void join_sixtyNodes_activeViewsBoundedSymmetricAndConnected() {
    ViewHarness h = new ViewHarness(60, 11, ViewConfig.defaults());
    h.joinAll();
    h.run(30 * SECOND);
    for (ViewCore c : h.cores) {
      assertThat(c.activeSize()).isBetween(1, ViewConfig.DEFAULT_ACTIVE_VIEW_SIZE);
      assertThat(c.passiveView().size()).isLessThanOrEqualTo(ViewConfig.DEFAULT_PASSIVE_VIEW_SIZE);
      assertThat(c.passiveView())
          .doesNotContain(c.id())
          .doesNotContainAnyElementsOf(c.activeView());
      for (NodeId p : c.activeView()) {
        assertThat(h.cores.get((int) p.low()).activeView())
            .as("link %s-%s", c.id(), p)
            .contains(c.id());
      }
    }
    assertThat(h.connected()).isTrue();
  }

  @Test
  void broadcast_afterJoins_everyOtherNodeDeliversOnce() {
    ViewHarness h = new ViewHarness(60, 12, ViewConfig.defaults());
    h.joinAll();
    h.run(30 * SECOND);
    assertThat(h.cores.get(17).broadcast(42, PAYLOAD, h.now)).isTrue();
    h.drain(17);
    h.run(10 * SECOND);
    for (int i = 0; i < h.cores.size(); i++) {
      assertThat(h.delivered.get(i)).as("node %d", i).isEqualTo(i == 17 ? List.of() : List.of(42L));
    }
    assertThat(h.cores.get(17).broadcast(42, PAYLOAD, h.now)).isFalse();
  }

  @Test
  void broadcast_repeated_eagerLinksSettleIntoATree() {
    ViewHarness h = new ViewHarness(60, 13, ViewConfig.defaults());
    h.joinAll();
    h.run(30 * SECOND);
    List<Long> duplicates = new ArrayList<>();
    for (int b = 1; b <= 5; b++) {
      long before = h.cores.stream().mapToLong(ViewCore::duplicates).sum();
      h.cores.get(b).broadcast(b, PAYLOAD, h.now);
      h.drain(b);
      h.run(5 * SECOND);
      duplicates.add(h.cores.stream().mapToLong(ViewCore::duplicates).sum() - before);
    }
    assertThat(duplicates.get(0)).isGreaterThan(20);
    assertThat(duplicates.get(4)).isLessThan(duplicates.get(0) / 4);
    int eagerEnds = h.cores.stream().mapToInt(ViewCore::eagerLinks).sum();
    assertThat(eagerEnds).isLessThan(2 * 60 + 20); // a tree has 59 links, 118 ends
    for (int i = 0; i < h.cores.size(); i++) {
      assertThat(h.delivered.get(i)).as("node %d", i).hasSize(i >= 1 && i <= 5 ? 4 : 5);
    }
  }

  @Test
  void onPeerFailed_crashedLinks_passivePeersReplaceThemAndBroadcastsStillArrive() {
    ViewHarness h = new ViewHarness(60, 14, ViewConfig.defaults());
    h.joinAll();
    h.run(30 * SECOND);
    h.cores.get(3).broadcast(1, PAYLOAD, h.now);
    h.drain(3);
    h.run(5 * SECOND);
    for (int i = 40; i < 52; i++) {
      h.crash(i);
    }
    h.run(20 * SECOND);
    assertThat(h.connected()).isTrue();
    for (int i = 0; i < h.cores.size(); i++) {
      if (h.up.get(i)) {
        assertThat(h.cores.get(i).activeSize()).as("node %d", i).isGreaterThanOrEqualTo(2);
      }
    }
    h.cores.get(5).broadcast(2, PAYLOAD, h.now);
    h.drain(5);
    h.run(10 * SECOND);
    for (int i = 0; i < h.cores.size(); i++) {
      if (h.up.get(i) && i != 5) {
        assertThat(h.delivered.get(i)).as("node %d", i).contains(2L);
      }
    }
  }

  @Test
  void onIHave_unknownMessage_graftsTheAnnouncerAfterTheTimeout() {
    ViewConfig config = ViewConfig.defaults();
    ViewCore c = new ViewCore(config, ViewHarness.id(0), new SplittableRandom(1), 0);
    NodeId peer = ViewHarness.id(1);
    c.join(peer);
    drainSends(c);
    c.onMessage(peer, ViewMessage.PRUNE, 0);
    assertThat(c.eagerLinks()).isZero();
    c.onMessage(peer, new ViewMessage.IHave(new long[] {99}), 0);
    assertThat(c.missingMessages()).isEqualTo(1);
    c.onTick(config.graftTimeoutNanos() - 1);
    assertThat(drainSends(c)).noneMatch(s -> s.message() instanceof ViewMessage.Graft);
    c.onTick(config.graftTimeoutNanos());
    assertThat(drainSends(c)).contains(new ViewSend(peer, new ViewMessage.Graft(99)));
    assertThat(c.eagerLinks()).isEqualTo(1);
    c.onMessage(peer, new ViewMessage.Gossip(99, 3, PAYLOAD), 1);
    assertThat(c.pollDelivery().id()).isEqualTo(99);
    assertThat(c.missingMessages()).isZero();
  }

  @Test
  void onGraft_unknownMessage_linkBecomesEagerAndNothingIsSent() {
    ViewCore c = new ViewCore(ViewConfig.defaults(), ViewHarness.id(0), new SplittableRandom(2), 0);
    NodeId peer = ViewHarness.id(1);
    c.join(peer);
    drainSends(c);
    c.onMessage(peer, ViewMessage.PRUNE, 0);
    c.onMessage(peer, new ViewMessage.Graft(12345), 0);
    assertThat(drainSends(c)).isEmpty();
    assertThat(c.unknownGrafts()).isEqualTo(1);
    assertThat(c.eagerLinks()).isEqualTo(1);
  }

  @Test
  void onMessage_treeMessagesFromAStranger_refusedAndViewsUnchanged() {
    ViewCore c = new ViewCore(ViewConfig.defaults(), ViewHarness.id(0), new SplittableRandom(3), 0);
    NodeId stranger = ViewHarness.id(9);
    c.onMessage(stranger, new ViewMessage.IHave(new long[] {1}), 0);
    c.onMessage(stranger, new ViewMessage.Graft(1), 0);
    c.onMessage(stranger, ViewMessage.PRUNE, 0);
    assertThat(c.refusedNotNeighbor()).isEqualTo(3);
    assertThat(c.missingMessages()).isZero();
    assertThat(c.activeView()).isEmpty();
    assertThat(drainSends(c)).isEmpty();
  }

  @Test
  void onShuffle_oversizedList_refusedWhole() {
    ViewCore c = new ViewCore(ViewConfig.defaults(), ViewHarness.id(0), new SplittableRandom(4), 0);
    List<NodeId> many = new ArrayList<>();
    for (int i = 1; i <= ViewConfig.MAX_SHUFFLE_PEERS + 1; i++) {
      many.add(ViewHarness.id(i));
    }
    c.onMessage(ViewHarness.id(1), new ViewMessage.Shuffle(ViewHarness.id(1), many, 0), 0);
    c.onMessage(ViewHarness.id(1), new ViewMessage.ShuffleReply(many), 0);
    assertThat(c.refusedMalformed()).isEqualTo(2);
    assertThat(c.passiveView()).isEmpty();
    assertThat(drainSends(c)).isEmpty();
    c.onMessage(
        ViewHarness.id(1), new ViewMessage.Shuffle(ViewHarness.id(1), many.subList(0, 5), 0), 0);
    assertThat(c.passiveView()).hasSize(5);
  }

  @Test
  void onMessage_malformed_refusedWithOneCount() {
    ViewCore c = new ViewCore(ViewConfig.defaults(), ViewHarness.id(0), new SplittableRandom(5), 0);
    NodeId peer = ViewHarness.id(1);
    c.onMessage(peer, new ViewMessage.ForwardJoin(ViewHarness.id(2), -1), 0);
    c.onMessage(peer, new ViewMessage.Gossip(1, 0, new byte[ViewConfig.MAX_PAYLOAD_BYTES + 1]), 0);
    c.onMessage(ViewHarness.id(0), ViewMessage.JOIN, 0);
    assertThat(c.refusedMalformed()).isEqualTo(3);
    assertThat(c.pollDelivery()).isNull();
    assertThat(c.activeView()).isEmpty();
    assertThatThrownBy(() -> c.broadcast(1, new byte[ViewConfig.MAX_PAYLOAD_BYTES + 1], 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1025 bytes");
  }

  @Test
  void onJoin_fullActiveView_dropsOneLinkWithDisconnect() {
    ViewCore c = new ViewCore(ViewConfig.defaults(), ViewHarness.id(0), new SplittableRandom(6), 0);
    for (int i = 1; i <= ViewConfig.DEFAULT_ACTIVE_VIEW_SIZE + 1; i++) {
      c.onMessage(ViewHarness.id(i), ViewMessage.JOIN, 0);
    }
    List<ViewSend> sends = drainSends(c);
    assertThat(c.activeSize()).isEqualTo(ViewConfig.DEFAULT_ACTIVE_VIEW_SIZE);
    assertThat(sends).filteredOn(s -> s.message() instanceof ViewMessage.Disconnect).hasSize(1);
    assertThat(c.passiveView()).hasSize(1);
  }

  @Test
  void promote_refusedAgainAndAgain_asksAtHighPriorityOnce() {
    ViewConfig config = ViewConfig.defaults();
    ViewCore c = new ViewCore(config, ViewHarness.id(0), new SplittableRandom(7), 0);
    c.onMessage(ViewHarness.id(1), ViewMessage.JOIN, 0);
    List<NodeId> full = List.of(ViewHarness.id(2), ViewHarness.id(3), ViewHarness.id(4));
    c.onMessage(ViewHarness.id(1), new ViewMessage.Shuffle(ViewHarness.id(1), full, 0), 0);
    drainSends(c);
    List<Boolean> priorities = new ArrayList<>();
    long now = 0;
    while (priorities.size() <= ViewConfig.ESCALATE_AFTER_REFUSALS && now < 100 * SECOND) {
      now += config.repairIntervalNanos();
      c.onTick(now);
      for (List<ViewSend> sends = drainSends(c); !sends.isEmpty(); sends = drainSends(c)) {
        for (ViewSend send : sends) {
          if (send.message() instanceof ViewMessage.Neighbor n) {
            priorities.add(n.high());
            // Every passive peer is full and refuses a low-priority request.
            c.onMessage(send.to(), n.high() ? ViewMessage.ACCEPTED : ViewMessage.REFUSED, now);
          }
        }
      }
    }
    List<Boolean> low = java.util.Collections.nCopies(ViewConfig.ESCALATE_AFTER_REFUSALS, false);
    assertThat(priorities.subList(0, ViewConfig.ESCALATE_AFTER_REFUSALS)).isEqualTo(low);
    assertThat(priorities.get(ViewConfig.ESCALATE_AFTER_REFUSALS)).isTrue();
    assertThat(c.activeSize()).isEqualTo(2);
  }

  private static List<ViewSend> drainSends(ViewCore c) {
    List<ViewSend> out = new ArrayList<>();
    for (ViewSend s = c.pollSend(); s != null; s = c.pollSend()) {
      out.add(s);
    }
    return out;
  }
}
