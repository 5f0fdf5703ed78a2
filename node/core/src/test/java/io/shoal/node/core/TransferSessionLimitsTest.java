package io.shoal.node.core;

import static io.shoal.node.core.TransferSessionTest.A;
import static io.shoal.node.core.TransferSessionTest.B;
import static io.shoal.node.core.TransferSessionTest.CHUNK;
import static io.shoal.node.core.TransferSessionTest.SELF;
import static io.shoal.node.core.TransferSessionTest.id;
import static io.shoal.node.core.TransferSessionTest.plan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferMessage.HaveQuery;
import io.shoal.testing.FakeClock;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The session's tables stay bounded: request index, fetches, in-flight bytes, interested peers. */
class TransferSessionLimitsTest {
  final FakeClock clock = new FakeClock(23);
  final ChunkId root = id("limits-root");
  final TransferSessionTest.FakeHolders holders = new TransferSessionTest.FakeHolders();
  final TransferSession session = new TransferSession(SELF, TransferConfig.defaults(), holders, 0);
  final SessionWire wire = new SessionWire(session);

  /** Ways a request ends while its fetch goes on. */
  enum MidFetchEnding {
    REPLY,
    REFUSAL,
    TIMEOUT,
    BAN,
    PEER_GONE,
    PEER_DOWN_WHEN_ASKED
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(MidFetchEnding.class)
  void requestIndex_requestEndsMidFetch_keepsOnlyOpenRequests(MidFetchEnding ending) {
    holders.add(root, A, true);
    holders.add(root, B, true);
    session.startFetch(root, true, List.of(), plan(64), clock.nowNanos());
    wire.pump();
    assertThat(wire.openTo(A)).hasSizeGreaterThan(3);
    assertThat(wire.openTo(B)).isNotEmpty();

    long now = clock.nowNanos();
    switch (ending) {
      case REPLY -> wire.reply(wire.openTo(A).get(0), true, CHUNK, now);
      case REFUSAL -> {
        SessionWire.Sent s = wire.openTo(A).get(0);
        wire.open.remove(s.requestId());
        session.onMessage(A, new ChunkRefused(s.requestId(), ChunkRefused.Reason.BUSY), now);
      }
      case TIMEOUT -> session.onTimer(clock.advanceNanos(60_000_000_000L)); // all time out
      case BAN -> {
        for (int i = 0; i < TransferConfig.defaults().banThreshold(); i++) {
          wire.reply(wire.openTo(A).get(0), false, CHUNK, now);
        }
        wire.openTo(A).forEach(s -> wire.open.remove(s.requestId())); // never answered
      }
      case PEER_GONE -> {
        holders.down.add(A);
        session.onPeerGone(A, now);
        wire.openTo(A).forEach(s -> wire.open.remove(s.requestId()));
      }
      case PEER_DOWN_WHEN_ASKED -> {
        holders.down.add(A); // gossip has not said so yet; the next request to A finds out
        wire.reply(wire.openTo(A).get(0), true, CHUNK, now);
        wire.openTo(A).forEach(s -> wire.open.remove(s.requestId()));
      }
    }
    wire.pump();

    assertThat(session.requestsTracked())
        .as("index entries: only the requests still awaited")
        .isEqualTo(wire.open.size());
    assertThat(session.fetches()).hasSize(1);
  }

  /** Ways a fetch ends. */
  enum FetchEnding {
    COMPLETED,
    CANCELLED,
    STALLED
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FetchEnding.class)
  void requestIndex_fetchEnds_isEmptyAndFetchForgotten(FetchEnding ending) {
    holders.add(root, A, true);
    holders.add(root, B, true);
    session.startFetch(root, true, List.of(), plan(16), clock.nowNanos());
    wire.pump();
    // A sends bad bytes until banned: its unanswered requests are dropped without a cancel.
    for (int i = 0; i < TransferConfig.defaults().banThreshold(); i++) {
      wire.reply(wire.openTo(A).get(0), false, CHUNK, clock.nowNanos());
    }
    switch (ending) {
      case COMPLETED -> {
        while (!wire.openTo(B).isEmpty()) {
          wire.reply(wire.openTo(B).get(0), true, CHUNK, clock.nowNanos());
        }
        assertThat(wire.events).last().isInstanceOf(TransferEvent.Completed.class);
      }
      case CANCELLED -> session.cancelFetch(root, clock.nowNanos());
      case STALLED -> {
        while (!session.fetches().isEmpty()) {
          session.onTimer(clock.advanceTo(session.nextDeadlineNanos(clock.nowNanos())));
          wire.pump();
        }
        assertThat(wire.events).last().isInstanceOf(TransferEvent.Stalled.class);
      }
    }

    assertThat(session.fetches()).isEmpty();
    assertThat(session.requestsTracked()).isZero();
    assertThat(session.inFlightBytes()).as("the node's budget got its bytes back").isZero();
  }

  @Test
  void startFetch_pastMaxConcurrentFetches_isRefusedUntilOneEnds() {
    for (int i = 0; i < TransferSession.MAX_CONCURRENT_FETCHES; i++) {
      assertThat(session.canStartFetch()).isTrue();
      session.startFetch(id("r" + i), true, List.of(), plan(1), clock.nowNanos());
    }
    assertThat(session.canStartFetch()).isFalse();
    assertThatThrownBy(() -> session.startFetch(id("one too many"), true, List.of(), plan(1), 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fetches run already");
    assertThat(session.startFetch(id("r0"), true, List.of(), plan(1), clock.nowNanos()))
        .as("joining a running fetch is no new fetch")
        .isSameAs(session.fetch(id("r0")));

    session.cancelFetch(id("r0"), clock.nowNanos());
    assertThat(session.canStartFetch()).isTrue();
  }

  @Test
  void schedule_manyFetches_neverExceedTheNodeInFlightBudget() {
    long budget = 1L << 20;
    TransferSession s =
        new TransferSession(
            SELF, TransferConfig.defaults().withMaxNodeInFlightBytes(budget), holders, 0);
    SessionWire w = new SessionWire(s);
    int fetches = 4;
    for (int i = 0; i < fetches; i++) {
      holders.add(id("f" + i), A, true);
      holders.add(id("f" + i), B, true);
      s.startFetch(id("f" + i), true, List.of(), plan(32), clock.nowNanos());
      w.pump();
      assertThat(openBytes(w)).isLessThanOrEqualTo(budget);
    }
    Random random = new Random(5);
    int replies = 0;
    while (!s.fetches().isEmpty()) {
      List<SessionWire.Sent> open = List.copyOf(w.open.values());
      assertThat(open).as("some fetch always has a request out").isNotEmpty();
      w.reply(open.get(random.nextInt(open.size())), true, CHUNK, clock.advanceNanos(1_000_000));
      replies++;
      assertThat(openBytes(w)).isLessThanOrEqualTo(budget);
      assertThat(s.inFlightBytes()).isEqualTo(openBytes(w));
    }
    assertThat(replies).as("every fetch completed").isGreaterThanOrEqualTo(fetches * 32);
    assertThat(w.events.stream().filter(e -> e instanceof TransferEvent.Completed))
        .hasSize(fetches);
  }

  private static long openBytes(SessionWire w) {
    return (long) w.open.size() * CHUNK;
  }

  @Test
  void onHaveQuery_manyAskers_interestedStaysBounded() {
    session.startFetch(root, true, List.of(), plan(1), clock.nowNanos());
    for (int i = 0; i < FetchSession.MAX_INTERESTED_PER_FETCH + 10; i++) {
      session.onMessage(new NodeId(7, i), new HaveQuery(root), clock.nowNanos());
      wire.pump();
    }
    assertThat(session.fetch(root).interested).hasSize(FetchSession.MAX_INTERESTED_PER_FETCH);
    assertThat(wire.sent)
        .as("every asker got its answer")
        .hasSize(FetchSession.MAX_INTERESTED_PER_FETCH + 10);
  }
}
