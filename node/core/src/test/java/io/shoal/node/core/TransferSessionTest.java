package io.shoal.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.FetchCore.Outbound;
import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferMessage.ChunkRequest;
import io.shoal.node.core.TransferMessage.HaveQuery;
import io.shoal.node.core.TransferMessage.HaveReply;
import io.shoal.node.core.TransferMessage.HaveUpdate;
import io.shoal.testing.FakeClock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransferSessionTest {
  static final NodeId SELF = new NodeId(9, 9);
  static final NodeId A = new NodeId(0, 1);
  static final NodeId B = new NodeId(0, 2);
  static final NodeId ASKER = new NodeId(0, 7);
  static final int CHUNK = 64 * 1024;

  final FakeClock clock = new FakeClock(11);
  final ChunkId root = id("root");
  final FakeHolders holders = new FakeHolders();
  final TransferSession session = new TransferSession(SELF, TransferConfig.defaults(), holders, 0);

  /** Holders as a test sets them: every listed holder is up. */
  static final class FakeHolders implements Holders {
    final Map<ChunkId, List<PeerChoice.Candidate>> byRoot = new HashMap<>();
    final Set<NodeId> down = new HashSet<>();

    void add(ChunkId root, NodeId id, boolean complete) {
      byRoot
          .computeIfAbsent(root, k -> new ArrayList<>())
          .add(new PeerChoice.Candidate(id, complete));
    }

    @Override
    public List<PeerChoice.Candidate> of(ChunkId root) {
      return byRoot.getOrDefault(root, List.of()).stream()
          .filter(c -> !down.contains(c.id()))
          .toList();
    }

    @Override
    public boolean isUp(NodeId peer) {
      return !down.contains(peer);
    }

    @Override
    public List<NodeId> arrivals(ChunkId root) {
      return of(root).stream().filter(c -> !c.complete()).map(PeerChoice.Candidate::id).toList();
    }
  }

  static ChunkId id(String s) {
    return HashAlgorithm.XXH128.hash(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static ChunkId leaf(int i) {
    return id("leaf" + i);
  }

  static TransferSession.DataPlan plan(int leaves) {
    List<FetchCore.Wanted> wanted = new ArrayList<>();
    for (int i = 0; i < leaves; i++) {
      wanted.add(new FetchCore.Wanted(leaf(i), CHUNK, (long) i * CHUNK, i));
    }
    return new TransferSession.DataPlan(wanted, leaves, new BitSet());
  }

  List<Outbound> sends() {
    List<Outbound> out = new ArrayList<>();
    for (Outbound o; (o = session.pollSend()) != null; ) {
      out.add(o);
    }
    return out;
  }

  static List<ChunkRequest> requestsTo(NodeId peer, List<Outbound> sends) {
    List<ChunkRequest> out = new ArrayList<>();
    for (Outbound o : sends) {
      if (o.peer().equals(peer) && o.message() instanceof ChunkRequest r) {
        out.add(r);
      }
    }
    return out;
  }

  /** The data chunk indexes {@code ASKER} hears this node holds, by query. */
  BitSet queried() {
    session.onMessage(ASKER, new HaveQuery(root), clock.nowNanos());
    for (Outbound o : sends()) {
      if (o.peer().equals(ASKER) && o.message() instanceof HaveReply r) {
        return r.have().toBitSet();
      }
    }
    throw new AssertionError("no have reply");
  }

  /** Runs the session's timer at its next deadline; returns what it sent. */
  List<Outbound> timerFires() {
    session.onTimer(clock.advanceTo(session.nextDeadlineNanos(clock.nowNanos())));
    return sends();
  }

  @ParameterizedTest(name = "visible={0}: announced={1}")
  @CsvSource({"false, false", "true, true"})
  void onChunk_haveBitFollowsVisibility(boolean visible, boolean announced) {
    holders.add(root, A, true);
    session.startFetch(root, true, List.of(), plan(2), clock.nowNanos());
    ChunkRequest first = requestsTo(A, sends()).get(0);
    assertThat(queried().isEmpty()).as("nothing held yet").isTrue();

    session.onChunk(A, first.requestId(), true, CHUNK, clock.nowNanos());
    if (visible) {
      session.onChunksVisible(List.of(first.id()));
    }

    int index = first.id().equals(leaf(0)) ? 0 : 1;
    List<Outbound> after = sends();
    after.addAll(timerFires());
    boolean updated =
        after.stream()
            .anyMatch(
                o ->
                    o.peer().equals(ASKER)
                        && o.message() instanceof HaveUpdate u
                        && u.added().toBitSet().get(index));
    assertThat(updated).as("in a have update").isEqualTo(announced);
    assertThat(queried().get(index)).as("in a have reply").isEqualTo(announced);
  }

  @ParameterizedTest(name = "{0} then {1} ms: asked again={2}")
  @CsvSource({
    "NOT_FOUND, 0, false",
    "NOT_FOUND, 500, false",
    "NOT_FOUND, 1200, true",
    "BUSY, 0, true",
  })
  void onRefused_askSamePeerAgain_afterBackoffForNotFound(
      ChunkRefused.Reason reason, long afterMillis, boolean askedAgain) {
    holders.add(root, A, true);
    session.startFetch(root, true, List.of(), plan(1), clock.nowNanos());
    ChunkRequest r = requestsTo(A, sends()).get(0);

    session.onMessage(A, new ChunkRefused(r.requestId(), reason), clock.nowNanos());
    List<Outbound> after = sends();
    long until = clock.nowNanos() + afterMillis * 1_000_000L;
    while (until - clock.nowNanos() > 0) {
      long next = session.nextDeadlineNanos(clock.nowNanos());
      clock.advanceTo(until - next < 0 ? until : next);
      session.onTimer(clock.nowNanos());
      after.addAll(sends());
    }

    assertThat(requestsTo(A, after).stream().anyMatch(q -> q.id().equals(leaf(0))))
        .isEqualTo(askedAgain);
  }

  @Test
  void holderUpOnlyAfterTheFetchBegan_isTakenAsAPeer_whenGossipSaysItIsUp() {
    holders.add(root, A, true);
    holders.down.add(A); // its catalog is known, but it is not (yet, or no longer) alive
    session.startFetch(root, true, List.of(), plan(2), clock.nowNanos());
    assertThat(requestsTo(A, sends())).isEmpty();
    assertThat(requestsTo(A, timerFires())).as("no holder up, nothing to ask").isEmpty();

    holders.down.remove(A);
    session.onPeerUp(A, clock.nowNanos());

    assertThat(requestsTo(A, timerFires()))
        .as("the member came up: the fetch takes it at the next refresh, not after 30 s")
        .isNotEmpty();
  }

  @Test
  void onChunk_fromAnotherPeerThanAsked_isIgnored() {
    holders.add(root, A, true);
    session.startFetch(root, true, List.of(), plan(1), clock.nowNanos());
    ChunkRequest r = requestsTo(A, sends()).get(0);

    assertThat(session.expectedChunk(B, r.requestId())).isNull();
    session.onChunk(B, r.requestId(), true, CHUNK, clock.nowNanos());
    session.onMessage(
        B, new ChunkRefused(r.requestId(), ChunkRefused.Reason.NOT_FOUND), clock.nowNanos());
    assertThat(session.fetch(root).doneBytes()).isZero();
    assertThat(sends()).isEmpty();

    assertThat(session.expectedChunk(A, r.requestId())).isEqualTo(leaf(0));
    session.onChunk(A, r.requestId(), true, CHUNK, clock.nowNanos());
    assertThat(session.pollEvent()).isInstanceOf(TransferEvent.Completed.class);
  }

  @Test
  void onPeerGone_midFetch_itsRequestsGoToOthers() {
    holders.add(root, A, true);
    holders.add(root, B, true);
    session.startFetch(root, true, List.of(), plan(32), clock.nowNanos());
    List<Outbound> first = sends();
    List<ChunkRequest> atA = requestsTo(A, first);
    assertThat(atA).isNotEmpty();

    holders.down.add(A);
    session.onPeerGone(A, clock.nowNanos());
    Set<ChunkId> fromB = new HashSet<>();
    List<ChunkRequest> open = new ArrayList<>(requestsTo(B, first));
    open.addAll(requestsTo(B, sends()));
    while (!open.isEmpty()) {
      ChunkRequest r = open.remove(0);
      fromB.add(r.id());
      session.onChunk(B, r.requestId(), true, CHUNK, clock.nowNanos());
      List<Outbound> more = sends();
      assertThat(requestsTo(A, more)).isEmpty();
      open.addAll(requestsTo(B, more));
    }

    assertThat(fromB).containsAll(atA.stream().map(ChunkRequest::id).toList());
    assertThat(session.pollEvent()).isInstanceOf(TransferEvent.Completed.class);
    assertThat(atA)
        .as("the ended fetch's requests are forgotten: a late reply is stray")
        .allMatch(r -> session.expectedChunk(A, r.requestId()) == null);
  }

  @Test
  void onTimer_noPeerForLong_fetchStalledAndDropped() {
    session.startFetch(root, true, List.of(), plan(1), clock.nowNanos());
    long deadline = clock.nowNanos() + StallPolicy.NO_PEER_TIMEOUT_NANOS + 200_000_000L;
    TransferEvent last = null;
    while (session.isFetching(root) && deadline - clock.nowNanos() > 0) {
      timerFires();
      for (TransferEvent e; (e = session.pollEvent()) != null; ) {
        last = e;
      }
    }

    assertThat(last).isEqualTo(new TransferEvent.Stalled(root, StallPolicy.Verdict.NO_PEER));
    assertThat(session.isFetching(root)).isFalse();
  }
}
