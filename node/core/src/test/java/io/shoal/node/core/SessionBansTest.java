package io.shoal.node.core;

import static io.shoal.node.core.TransferSessionTest.A;
import static io.shoal.node.core.TransferSessionTest.B;
import static io.shoal.node.core.TransferSessionTest.CHUNK;
import static io.shoal.node.core.TransferSessionTest.SELF;
import static io.shoal.node.core.TransferSessionTest.id;
import static io.shoal.node.core.TransferSessionTest.plan;
import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.TransferMessage.Cancel;
import io.shoal.testing.FakeClock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A peer that sent bad chunks is banned from the node, across fetches, until its ban ends. */
class SessionBansTest {
  static final long BAN_NANOS = 60_000_000_000L;

  final FakeClock clock = FakeClock.startingAt(Long.MAX_VALUE - 30_000_000_000L); // wraps
  final TransferSessionTest.FakeHolders holders = new TransferSessionTest.FakeHolders();
  final TransferSession session =
      new TransferSession(SELF, TransferConfig.defaults().withBanNanos(BAN_NANOS), holders, 0);
  final SessionWire wire = new SessionWire(session);

  void start(ChunkId root) {
    holders.add(root, A, true);
    holders.add(root, B, true);
    session.startFetch(root, true, List.of(), plan(16), clock.nowNanos());
    wire.pump();
  }

  void banA() {
    for (int i = 0; i < TransferConfig.defaults().banThreshold(); i++) {
      wire.reply(wire.openTo(A).get(0), false, CHUNK, clock.nowNanos());
    }
  }

  void finish(ChunkId root) {
    while (session.isFetching(root)) {
      List<SessionWire.Sent> open = List.copyOf(wire.open.values());
      if (open.isEmpty()) {
        session.onTimer(clock.advanceTo(session.nextDeadlineNanos(clock.nowNanos())));
        wire.pump();
      } else {
        wire.reply(open.get(0), true, CHUNK, clock.advanceNanos(1_000_000));
      }
    }
  }

  @Test
  void ban_inOneFetch_nextFetchDoesNotAskThePeer_untilTheBanEnds() {
    start(id("first"));
    banA();
    assertThat(wire.events)
        .anyMatch(e -> e instanceof TransferEvent.PeerBanned b && b.peer().equals(A));
    wire.open.values().removeIf(s -> s.peer().equals(A)); // a banned peer's answers are not awaited
    finish(id("first"));

    assertThat(session.bans(clock.nowNanos()))
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.peer()).isEqualTo(A);
              assertThat(b.reason()).contains("3 chunks failed verification");
              assertThat(b.remainingNanos(clock.nowNanos())).isPositive().isLessThan(BAN_NANOS);
            });

    wire.sent.clear();
    start(id("second"));
    finish(id("second"));
    assertThat(wire.askedAnything(A)).as("the banned peer is not asked").isFalse();
    assertThat(wire.askedAnything(B)).isTrue();

    clock.advanceNanos(BAN_NANOS);
    session.onTimer(clock.nowNanos());
    assertThat(session.bans(clock.nowNanos())).isEmpty();
    wire.sent.clear();
    start(id("third"));
    assertThat(wire.askedAnything(A)).as("asked again once the ban ended").isTrue();
  }

  @Test
  void ban_whileAnotherFetchRuns_thatFetchLetsThePeerGo() {
    start(id("one"));
    start(id("other"));
    wire.sent.clear();

    banA(); // bad chunks of whichever fetch A's first open requests serve

    List<FetchCore.Outbound> toA = wire.sent.stream().filter(o -> o.peer().equals(A)).toList();
    assertThat(toA).as("only cancels go to A").allMatch(o -> o.message() instanceof Cancel);
    assertThat(wire.openTo(A))
        .as("nothing is awaited from A")
        .allMatch(r -> session.expectedChunk(A, r.requestId()) == null);
    ChunkId banning =
        wire.events.stream()
            .filter(e -> e instanceof TransferEvent.PeerBanned)
            .map(e -> ((TransferEvent.PeerBanned) e).root())
            .findFirst()
            .orElseThrow();
    FetchSession other = session.fetch(banning.equals(id("one")) ? id("other") : id("one"));
    assertThat(other.knownPeers).doesNotContain(A).contains(B);
    assertThat(other.activePeers()).isEqualTo(1);
  }

  @Test
  void ban_renewedWhileInForce_endsLater() {
    PeerBans bans = new PeerBans(BAN_NANOS);
    long t0 = clock.nowNanos();
    bans.ban(A, "first", t0);
    bans.ban(A, "again", t0 + BAN_NANOS / 2);
    assertThat(bans.isBanned(A, t0 + BAN_NANOS)).isTrue();
    assertThat(bans.expire(t0 + BAN_NANOS + BAN_NANOS / 2)).isTrue();
    assertThat(bans.isBanned(A, t0 + BAN_NANOS + BAN_NANOS / 2)).isFalse();
  }

  @Test
  void ban_pastMaxBannedPeers_theSoonestToEndGivesWay() {
    PeerBans bans = new PeerBans(BAN_NANOS);
    long t0 = clock.nowNanos();
    for (int i = 0; i <= PeerBans.MAX_BANNED_PEERS; i++) {
      bans.ban(new NodeId(3, i), "bad", t0 + i);
    }
    assertThat(bans.inForce(t0 + 1)).hasSize(PeerBans.MAX_BANNED_PEERS);
    assertThat(bans.isBanned(new NodeId(3, 0), t0 + 1)).isFalse();
    assertThat(bans.isBanned(new NodeId(3, PeerBans.MAX_BANNED_PEERS), t0 + 1)).isTrue();
  }
}
