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
import io.shoal.node.core.TransferMessage.ChunkRequest;
import io.shoal.node.core.TransferMessage.HaveQuery;
import io.shoal.node.core.TransferMessage.HaveReply;
import io.shoal.node.core.TransferMessage.HaveUpdate;
import io.shoal.testing.AllocationBound;
import io.shoal.testing.FakeClock;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The have exchange from the fetching side: a bitmap that arrives before the data plan fixes the
 * count of data chunks is kept unexpanded within a bound (past it its sender is asked again at the
 * plan), and one over another count than the plan's gets its sender banned.
 */
class SessionHaveTest {
  static final int LEAVES = 8;

  /** A have claiming every index of the largest bitmap: about 10 bytes on the wire. */
  static final ChunkBitmap HOSTILE =
      ChunkBitmap.fromRuns(ChunkBitmap.MAX_BITS, new int[] {0, ChunkBitmap.MAX_BITS});

  static final int HOSTILE_WIRE_BYTES = 10;

  final FakeClock clock = new FakeClock(23);
  final ChunkId root = id("have-root");
  final TransferSessionTest.FakeHolders holders = new TransferSessionTest.FakeHolders();
  final TransferSession session = new TransferSession(SELF, TransferConfig.defaults(), holders, 0);
  final SessionWire wire = new SessionWire(session);

  static ChunkBitmap holding(int from, int to, int length) {
    BitSet bits = new BitSet();
    bits.set(from, to);
    return ChunkBitmap.of(bits, length);
  }

  /** Starts a fetch whose metadata is still missing: no data plan yet. */
  void startWithoutPlan() {
    List<FetchCore.Wanted> index = List.of(new FetchCore.Wanted(id("index"), 0, -1, -1));
    session.startFetch(root, true, index, null, clock.nowNanos());
    wire.pump();
  }

  /** Answers the metadata requests, then gives the data plan. */
  void planArrives() {
    for (SessionWire.Sent s : List.copyOf(wire.open.values())) {
      wire.reply(s, true, 100, clock.advanceNanos(1_000_000));
    }
    session.onPlan(root, List.of(), plan(LEAVES), clock.nowNanos());
    wire.pump();
  }

  boolean queried(NodeId peer) {
    return queries(peer) > 0;
  }

  long queries(NodeId peer) {
    return wire.sent.stream()
        .filter(o -> o.peer().equals(peer) && o.message() instanceof HaveQuery)
        .count();
  }

  /** Whether {@code peer} was asked for a data chunk (metadata may come from anyone). */
  boolean askedForData(NodeId peer) {
    return wire.sent.stream()
        .anyMatch(
            o ->
                o.peer().equals(peer)
                    && o.message() instanceof ChunkRequest r
                    && !r.id().equals(id("index")));
  }

  /** Answers every open request as verified until the fetch ends or nothing is open. */
  void answerAll() {
    while (session.isFetching(root) && !wire.open.isEmpty()) {
      wire.reply(wire.open.values().iterator().next(), true, CHUNK, clock.advanceNanos(1_000_000));
    }
  }

  @Test
  void onHave_maxBitsBeforeThePlan_allocatesNothingProportional() {
    holders.add(root, A, false);
    startWithoutPlan();
    assertThat(queried(A)).as("a partial peer is asked at once").isTrue();

    long before = AllocationBound.allocatedBytes();
    session.onMessage(A, new HaveReply(root, false, HOSTILE), clock.nowNanos());
    session.onMessage(A, new HaveUpdate(root, HOSTILE), clock.nowNanos());
    long allocated = AllocationBound.allocatedBytes() - before;

    AllocationBound.check("two haves before the data plan", 2 * HOSTILE_WIRE_BYTES, allocated);
    assertThat(session.bans(clock.nowNanos())).as("unchecked, not judged").isEmpty();
    planArrives();
    assertThat(session.bans(clock.nowNanos()))
        .as("judged against the plan's count once it is known")
        .singleElement()
        .satisfies(b -> assertThat(b.peer()).isEqualTo(A));
  }

  @ParameterizedTest(name = "a have over {0} data chunks where the snapshot has 8")
  @ValueSource(ints = {LEAVES - 1, LEAVES + 1, ChunkBitmap.MAX_BITS})
  void onHave_wrongLengthAfterThePlan_senderBanned_fetchCompletesFromAnother(int length) {
    holders.add(root, A, false);
    holders.add(root, B, false);
    startWithoutPlan();
    planArrives();
    assertThat(queried(A) && queried(B)).as("both asked").isTrue();
    ChunkBitmap bad =
        length == ChunkBitmap.MAX_BITS ? HOSTILE : holding(0, Math.min(length, LEAVES), length);

    long before = AllocationBound.allocatedBytes();
    session.onMessage(A, new HaveReply(root, false, bad), clock.nowNanos());
    long allocated = AllocationBound.allocatedBytes() - before;
    wire.pump();
    session.onMessage(B, new HaveReply(root, false, holding(0, LEAVES, LEAVES)), clock.nowNanos());
    wire.pump();
    answerAll();

    AllocationBound.check("a have over the wrong count", HOSTILE_WIRE_BYTES, allocated);
    assertThat(wire.events)
        .anyMatch(
            e ->
                e instanceof TransferEvent.PeerBanned b
                    && b.peer().equals(A)
                    && b.reason().contains("spans " + length + " data chunks"));
    assertThat(session.bans(clock.nowNanos()))
        .singleElement()
        .satisfies(b -> assertThat(b.peer()).isEqualTo(A));
    assertThat(askedForData(A)).isFalse();
    assertThat(wire.events).last().isInstanceOf(TransferEvent.Completed.class);
  }

  @Test
  void onHave_partialHoldersBeforeThePlan_keptAndUsedAtThePlan_noSecondQuery() {
    holders.add(root, A, false);
    holders.add(root, B, false);
    startWithoutPlan();
    session.onMessage(A, new HaveReply(root, false, holding(0, 2, LEAVES)), clock.nowNanos());
    session.onMessage(A, new HaveUpdate(root, holding(2, 4, LEAVES)), clock.nowNanos());
    session.onMessage(B, new HaveReply(root, false, holding(4, LEAVES, LEAVES)), clock.nowNanos());

    planArrives();
    answerAll();

    assertThat(wire.events).last().isInstanceOf(TransferEvent.Completed.class);
    assertThat(askedForData(A) && askedForData(B)).isTrue();
    assertThat(queries(A)).as("the kept bitmaps answer it: no second round trip").isEqualTo(1);
    assertThat(session.bans(clock.nowNanos())).isEmpty();
  }

  @ParameterizedTest(name = "{0} run(s) per bitmap")
  @ValueSource(ints = {0, PeerHaves.MAX_UNPLANNED_RUNS})
  void onHave_beforeThePlanPastTheBound_forgottenAndAskedAgainAtThePlan(int runs) {
    holders.add(root, A, false);
    startWithoutPlan();
    // Bitmaps over the right count, so nothing is banned: only the bound decides.
    BitSet bits = new BitSet();
    for (int i = 0; i < runs; i++) {
      bits.set(2 * i);
    }
    ChunkBitmap many = ChunkBitmap.of(bits, Math.max(LEAVES, 2 * runs));
    int sends = runs == 0 ? PeerHaves.MAX_UNPLANNED_RUNS + 1 : 2;
    for (int i = 0; i < sends; i++) {
      session.onMessage(A, new HaveUpdate(root, many), clock.nowNanos());
    }
    assertThat(queries(A)).isEqualTo(1);

    planArrives();
    assertThat(queries(A)).as("asked again at the plan").isEqualTo(2);
    session.onMessage(A, new HaveReply(root, false, holding(0, LEAVES, LEAVES)), clock.nowNanos());
    wire.pump();
    answerAll();
    assertThat(wire.events).last().isInstanceOf(TransferEvent.Completed.class);
  }

  @Test
  void onHave_emptyFromAPeerWithoutItsOwnPlan_notABan_laterUpdateUsed() {
    holders.add(root, A, false);
    session.startFetch(root, true, List.of(), plan(LEAVES), clock.nowNanos());
    wire.pump();
    assertThat(queried(A)).isTrue();

    // A's own fetch has no plan yet: it answers with an empty bitmap of length 0.
    session.onMessage(A, new HaveReply(root, false, ChunkBitmap.empty()), clock.nowNanos());
    wire.pump();
    assertThat(session.bans(clock.nowNanos())).isEmpty();
    session.onMessage(A, new HaveUpdate(root, holding(0, LEAVES, LEAVES)), clock.nowNanos());
    wire.pump();
    answerAll();

    assertThat(wire.events).last().isInstanceOf(TransferEvent.Completed.class);
  }

  @Test
  void onHave_allBeforeThePlan_peerUsedAtOnceWithoutAQuery() {
    holders.add(root, A, false);
    startWithoutPlan();
    session.onMessage(A, new HaveReply(root, true, ChunkBitmap.empty()), clock.nowNanos());

    planArrives();
    assertThat(queries(A))
        .as("asked once, when it was partial; not again at the plan")
        .isEqualTo(1);
    assertThat(askedForData(A)).isTrue();
    answerAll();
    assertThat(wire.events).last().isInstanceOf(TransferEvent.Completed.class);
  }
}
