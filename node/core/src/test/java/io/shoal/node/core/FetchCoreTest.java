package io.shoal.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.TransferMessage.Cancel;
import io.shoal.node.core.TransferMessage.ChunkRequest;
import io.shoal.node.core.TransferMessage.HaveQuery;
import io.shoal.testing.FakeClock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FetchCoreTest {
  static final NodeId SELF = new NodeId(9, 9);
  static final NodeId A = new NodeId(0, 1);
  static final NodeId B = new NodeId(0, 2);
  static final NodeId C = new NodeId(0, 3);
  static final int CHUNK = 64 * 1024;

  final FakeClock clock = new FakeClock(7);
  final ChunkId root = id("root");

  static ChunkId id(String s) {
    return HashAlgorithm.XXH128.hash(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static List<FetchCore.Wanted> leaves(int n) {
    List<FetchCore.Wanted> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new FetchCore.Wanted(id("leaf" + i), CHUNK, (long) i * CHUNK, i));
    }
    return out;
  }

  /** Drains requests by peer; other messages are collected separately. */
  static Map<NodeId, List<ChunkRequest>> requests(FetchCore core, List<FetchCore.Outbound> others) {
    Map<NodeId, List<ChunkRequest>> out = new HashMap<>();
    for (FetchCore.Outbound o; (o = core.pollOutbound()) != null; ) {
      if (o.message() instanceof ChunkRequest r) {
        out.computeIfAbsent(o.peer(), k -> new ArrayList<>()).add(r);
      } else {
        others.add(o);
      }
    }
    return out;
  }

  static Map<NodeId, List<ChunkRequest>> requests(FetchCore core) {
    return requests(core, new ArrayList<>());
  }

  @Test
  void metadataComesBeforeData() {
    FetchCore core = new FetchCore(root, TransferConfig.defaults(), SELF);
    List<FetchCore.Wanted> wanted = new ArrayList<>(leaves(4));
    wanted.add(new FetchCore.Wanted(id("index"), 0, -1, -1));
    core.addWanted(wanted, 4, clock.nowNanos());
    core.addPeer(A, true, clock.nowNanos());
    List<ChunkRequest> sent = requests(core).get(A);
    assertThat(sent.get(0).id()).isEqualTo(id("index"));
  }

  @Test
  void rarestChunkFirst() {
    FetchCore core = new FetchCore(root, TransferConfig.defaults(), SELF);
    core.addWanted(leaves(100), 100, clock.nowNanos());
    core.addPeer(B, false, clock.nowNanos());
    List<FetchCore.Outbound> queries = new ArrayList<>();
    assertThat(requests(core, queries)).isEmpty();
    assertThat(queries).extracting(o -> o.message()).allMatch(m -> m instanceof HaveQuery);
    BitSet firstHalf = new BitSet();
    firstHalf.set(0, 50);
    core.onHave(B, false, ChunkBitmap.of(firstHalf, 100), clock.nowNanos());
    requests(core);
    // Now leaves 0-49 are held by B and A, leaves 50-99 by A alone: A is asked for those.
    core.addPeer(A, true, clock.nowNanos());
    assertThat(requests(core).get(A))
        .extracting(r -> r.id())
        .allMatch(id -> leaves(100).subList(50, 100).stream().anyMatch(w -> w.id().equals(id)));
  }

  @Test
  void windowIsBoundedByBytes_andGrowsWithDeliveries() {
    TransferConfig config = TransferConfig.defaults();
    FetchCore core = new FetchCore(root, config, SELF);
    core.addWanted(leaves(1000), 1000, clock.nowNanos());
    core.addPeer(A, true, clock.nowNanos());
    List<ChunkRequest> first = requests(core).get(A);
    assertThat((long) first.size() * CHUNK).isEqualTo(config.minPeerWindowBytes());
    for (ChunkRequest r : first) {
      clock.advanceNanos(1_000_000);
      core.onChunk(A, r.requestId(), true, CHUNK, clock.nowNanos());
    }
    assertThat(requests(core).get(A).size()).isGreaterThan(first.size());
  }

  @Test
  void badChunk_isRefetchedElsewhere_andTheSenderBannedAtTheThreshold() {
    TransferConfig config = TransferConfig.defaults();
    FetchCore core = new FetchCore(root, config, SELF);
    core.addWanted(leaves(50), 50, clock.nowNanos());
    core.onPlanComplete(clock.nowNanos());
    core.addPeer(A, true, clock.nowNanos());
    List<ChunkRequest> fromA = requests(core).get(A);
    for (int i = 0; i < config.banThreshold(); i++) {
      core.onChunk(A, fromA.get(i).requestId(), false, CHUNK, clock.nowNanos());
    }
    assertThat(core.bannedPeers()).containsExactly(A);
    assertThat(events(core))
        .anyMatch(e -> e instanceof FetchEvent.PeerBanned pb && pb.peer().equals(A));
    core.addPeer(B, true, clock.nowNanos());
    List<ChunkRequest> fromB = requests(core).get(B);
    assertThat(fromB).extracting(ChunkRequest::id).contains(fromA.get(0).id());
  }

  @Test
  void vanishedPeer_costsOnlyItsInFlightRequests() {
    FetchCore core = new FetchCore(root, TransferConfig.defaults(), SELF);
    core.addWanted(leaves(20), 20, clock.nowNanos());
    core.onPlanComplete(clock.nowNanos());
    core.addPeer(A, true, clock.nowNanos());
    List<ChunkRequest> fromA = requests(core).get(A);
    core.onChunk(A, fromA.get(0).requestId(), true, CHUNK, clock.nowNanos());
    requests(core);
    core.addPeer(B, true, clock.nowNanos());
    core.onPeerGone(A, clock.nowNanos());
    List<ChunkId> askedOfB = new ArrayList<>();
    for (int round = 0; round < 100 && !core.isComplete(); round++) {
      List<ChunkRequest> sent = requests(core).getOrDefault(B, List.of());
      for (ChunkRequest r : sent) {
        askedOfB.add(r.id());
        core.onChunk(B, r.requestId(), true, CHUNK, clock.nowNanos());
      }
    }
    assertThat(core.isComplete()).isTrue();
    assertThat(askedOfB).hasSize(19).doesNotContain(fromA.get(0).id()).contains(fromA.get(1).id());
  }

  @Test
  void releasedPeer_hasItsRequestsCancelled_andServedElsewhere() {
    FetchCore core = new FetchCore(root, TransferConfig.defaults(), SELF);
    core.addWanted(leaves(4), 4, clock.nowNanos());
    core.onPlanComplete(clock.nowNanos());
    core.addPeer(A, true, clock.nowNanos());
    List<ChunkRequest> fromA = requests(core).get(A);
    assertThat(fromA).isNotEmpty();

    core.onPeerReleased(A, clock.nowNanos());
    core.addPeer(B, true, clock.nowNanos());
    List<FetchCore.Outbound> others = new ArrayList<>();
    Map<NodeId, List<ChunkRequest>> after = requests(core, others);

    assertThat(others)
        .extracting(o -> o.message() instanceof Cancel c ? c.requestId() : -1L)
        .containsExactlyInAnyOrderElementsOf(fromA.stream().map(ChunkRequest::requestId).toList());
    assertThat(after.get(B)).extracting(ChunkRequest::id).contains(fromA.get(0).id());
  }

  @Test
  void partialPeerWithNothingWanted_isAskedAgainOnceItsBitmapGrows() {
    FetchCore core = new FetchCore(root, TransferConfig.defaults(), SELF);
    core.addWanted(leaves(3000), 3000, clock.nowNanos());
    core.onPlanComplete(clock.nowNanos());
    core.addPeer(A, false, clock.nowNanos());
    requests(core);
    BitSet none = new BitSet();
    core.onHave(A, false, ChunkBitmap.of(none, 3000), clock.nowNanos());
    assertThat(requests(core)).isEmpty();

    // A leaf far past one bounded search from the cursor: found once the bitmap says so.
    BitSet late = new BitSet();
    late.set(2999);
    core.onHave(A, false, ChunkBitmap.of(late, 3000), clock.nowNanos());
    assertThat(requests(core).get(A)).extracting(ChunkRequest::id).containsExactly(id("leaf2999"));
  }

  @Test
  void overdueRequest_isCancelledAndReassigned() {
    TransferConfig config = TransferConfig.defaults();
    FetchCore core = new FetchCore(root, config, SELF);
    core.addWanted(leaves(1), 1, clock.nowNanos());
    core.addPeer(A, true, clock.nowNanos());
    ChunkRequest r = requests(core).get(A).get(0);
    core.addPeer(B, true, clock.nowNanos());
    clock.advanceTo(core.nextDeadlineNanos());
    core.onTimer(clock.nowNanos());
    List<FetchCore.Outbound> others = new ArrayList<>();
    Map<NodeId, List<ChunkRequest>> sent = requests(core, others);
    assertThat(others)
        .anyMatch(
            o ->
                o.peer().equals(A)
                    && o.message() instanceof Cancel c
                    && c.requestId() == r.requestId());
    assertThat(sent.values().stream().flatMap(List::stream))
        .extracting(ChunkRequest::id)
        .contains(r.id());
  }

  @Test
  void endgame_duplicatesTheLastRequest_andCancelsTheLoser() {
    FetchCore core = new FetchCore(root, TransferConfig.defaults(), SELF);
    core.addWanted(leaves(1), 1, clock.nowNanos());
    core.onPlanComplete(clock.nowNanos());
    core.addPeer(A, true, clock.nowNanos());
    core.addPeer(B, true, clock.nowNanos());
    Map<NodeId, List<ChunkRequest>> sent = requests(core);
    assertThat(sent.get(A)).hasSize(1);
    assertThat(sent.get(B)).hasSize(1);
    core.onChunk(B, sent.get(B).get(0).requestId(), true, CHUNK, clock.nowNanos());
    List<FetchCore.Outbound> others = new ArrayList<>();
    requests(core, others);
    assertThat(others).anyMatch(o -> o.peer().equals(A) && o.message() instanceof Cancel);
    assertThat(core.isComplete()).isTrue();
  }

  @Test
  void streamingReader_pullsChunksNearItsPositionFirst() {
    TransferConfig config = TransferConfig.defaults();
    FetchCore core = new FetchCore(root, config, SELF);
    core.addWanted(leaves(2000), 2000, clock.nowNanos());
    core.onReaderPosition(1500L * CHUNK, clock.nowNanos());
    core.addPeer(A, true, clock.nowNanos());
    List<ChunkRequest> sent = requests(core).get(A);
    assertThat(sent.get(0).id()).isEqualTo(id("leaf1500"));
    assertThat(sent.get(1).id()).isEqualTo(id("leaf1501"));
  }

  @Test
  void simultaneousLeechers_startAtDifferentChunks() {
    FetchCore one = new FetchCore(root, TransferConfig.defaults(), new NodeId(0, 11));
    FetchCore two = new FetchCore(root, TransferConfig.defaults(), new NodeId(0, 500));
    for (FetchCore c : List.of(one, two)) {
      c.addWanted(leaves(1000), 1000, clock.nowNanos());
      c.addPeer(A, true, clock.nowNanos());
    }
    assertThat(requests(one).get(A).get(0).id()).isNotEqualTo(requests(two).get(A).get(0).id());
  }

  /**
   * A leecher that holds thousands of chunks this node has already, and one it still wants, is
   * asked for that one at once; one that holds nothing wanted is set aside after one search.
   */
  @Test
  void partialHolder_isAskedForTheOneWantedChunkAmongManyDone() {
    PendingChunks pending = new PendingChunks(1, 0);
    FetchPeer rich = new FetchPeer(B, true, Long.MAX_VALUE);
    rich.have.set(100, 5000);
    FetchPeer poor = new FetchPeer(C, true, Long.MAX_VALUE);
    poor.have.set(200, 4000);
    pending.add(leaves(5000), 5000, List.of(rich, poor));
    for (int leaf = 100; leaf < 5000; leaf++) {
      if (leaf != 4321) {
        pending.remove(pending.atLeaf(leaf));
      }
    }
    assertThat(pending.pick(rich).wanted.leafIndex()).isEqualTo(4321);
    assertThat(pending.pick(poor)).isNull();
    assertThat(poor.exhausted).isTrue();
  }

  static List<FetchEvent> events(FetchCore core) {
    List<FetchEvent> out = new ArrayList<>();
    for (FetchEvent e; (e = core.pollEvent()) != null; ) {
      out.add(e);
    }
    return out;
  }
}
