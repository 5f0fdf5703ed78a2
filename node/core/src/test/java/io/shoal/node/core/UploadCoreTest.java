package io.shoal.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferMessage.ChunkRequest;
import io.shoal.testing.FakeClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UploadCoreTest {
  static final NodeId A = new NodeId(0, 1);
  static final NodeId B = new NodeId(0, 2);
  final FakeClock clock = new FakeClock(3);

  static ChunkRequest req(long id) {
    return new ChunkRequest(id, HashAlgorithm.XXH128.hash(new byte[] {(byte) id}), 0);
  }

  @Test
  void peersAreServedRoundRobin() {
    UploadCore core = new UploadCore(0);
    for (int i = 0; i < 3; i++) {
      core.onRequest(A, req(i), clock.nowNanos());
      core.onRequest(B, req(100 + i), clock.nowNanos());
    }
    List<NodeId> order = new ArrayList<>();
    for (UploadCore.Serve s; (s = core.pollServe(clock.nowNanos())) != null; ) {
      order.add(s.peer());
    }
    assertThat(order).containsExactly(A, B, A, B, A, B);
  }

  @Test
  void onRequest_pastMaxUploadPeers_refusesNewPeerAsBusy_untilEntriesGoIdle() {
    UploadCore core = new UploadCore(0);
    for (int i = 0; i < UploadCore.MAX_UPLOAD_PEERS; i++) {
      core.onRequest(new NodeId(5, i), req(i), clock.nowNanos());
    }
    NodeId late = new NodeId(6, 0);
    core.onRequest(late, req(9), clock.nowNanos());
    assertThat(core.pollOutbound().message())
        .isEqualTo(new ChunkRefused(9, ChunkRefused.Reason.BUSY));
    assertThat(core.peerEntries()).isEqualTo(UploadCore.MAX_UPLOAD_PEERS);

    core.onCancel(new NodeId(5, 0), 0); // that peer's entry is idle now: it may be swept
    core.onRequest(late, req(10), clock.nowNanos());
    assertThat(core.pollOutbound()).isNull();
    assertThat(core.peerEntries()).isEqualTo(UploadCore.MAX_UPLOAD_PEERS);
  }

  @Test
  void fullTable_aPeerThatGoesIdleByItsLastWriteOrByTurningWritable_makesRoomAfterARefusal() {
    UploadCore core = new UploadCore(0);
    NodeId first = new NodeId(5, 0);
    core.onRequest(first, req(0), clock.nowNanos());
    assertThat(core.pollServe(clock.nowNanos()).peer()).isEqualTo(first);
    for (int i = 1; i < UploadCore.MAX_UPLOAD_PEERS; i++) {
      core.onRequest(new NodeId(5, i), req(i), clock.nowNanos());
    }
    core.onWritable(first, false);
    core.onServed(first, 1, clock.nowNanos()); // written, but its connection is full: not idle
    NodeId late = new NodeId(6, 0);
    core.onRequest(late, req(9), clock.nowNanos());
    assertThat(core.pollOutbound().message())
        .isEqualTo(new ChunkRefused(9, ChunkRefused.Reason.BUSY));

    core.onRequest(late, req(10), clock.nowNanos()); // nothing went idle since: refused again
    assertThat(core.pollOutbound().message())
        .isEqualTo(new ChunkRefused(10, ChunkRefused.Reason.BUSY));
    core.onWritable(first, true); // idle now
    core.onRequest(late, req(11), clock.nowNanos());

    assertThat(core.pollOutbound()).isNull();
    assertThat(core.peerEntries()).isEqualTo(UploadCore.MAX_UPLOAD_PEERS);
  }

  @Test
  void fullQueue_refusesAsBusy() {
    UploadCore core = new UploadCore(0);
    for (int i = 0; i <= UploadCore.MAX_QUEUED_PER_PEER; i++) {
      core.onRequest(A, req(i), clock.nowNanos());
    }
    FetchCore.Outbound o = core.pollOutbound();
    assertThat(o.message())
        .isEqualTo(new ChunkRefused(UploadCore.MAX_QUEUED_PER_PEER, ChunkRefused.Reason.BUSY));
  }

  @Test
  void unwritablePeer_waits_andServingIsBounded() {
    UploadCore core = new UploadCore(0);
    for (int i = 0; i < 100; i++) {
      core.onRequest(A, req(i), clock.nowNanos());
    }
    core.onWritable(A, false);
    assertThat(core.pollServe(clock.nowNanos())).isNull();
    core.onWritable(A, true);
    int served = 0;
    while (core.pollServe(clock.nowNanos()) != null) {
      served++;
    }
    assertThat(served).isEqualTo(UploadCore.MAX_SERVING_PER_PEER);
    core.onServed(A, 1000, clock.nowNanos());
    assertThat(core.pollServe(clock.nowNanos())).isNotNull();
  }

  @Test
  void cancelledRequest_isNotServed() {
    UploadCore core = new UploadCore(0);
    core.onRequest(A, req(1), clock.nowNanos());
    core.onRequest(A, req(2), clock.nowNanos());
    core.onCancel(A, 1);
    assertThat(core.pollServe(clock.nowNanos()).requestId()).isEqualTo(2);
  }

  @Test
  void rateLimit_holdsServingUntilTokensReturn() {
    long rate = 10L << 20;
    UploadCore core = new UploadCore(rate);
    for (int i = 0; i < 10; i++) {
      core.onRequest(A, req(i), clock.nowNanos());
    }
    UploadCore.Serve s = core.pollServe(clock.nowNanos());
    core.onServed(A, 8L << 20, clock.nowNanos()); // spends more than the burst
    assertThat(core.pollServe(clock.nowNanos())).isNull();
    long deadline = core.nextDeadlineNanos(clock.nowNanos());
    assertThat(deadline - clock.nowNanos()).isBetween(300_000_000L, 500_000_000L);
    clock.advanceTo(deadline);
    assertThat(core.pollServe(clock.nowNanos())).isNotNull();
    assertThat(s).isNotNull();
  }

  @Test
  void rateChange_keepsTheQueuedRequests_andServesThemAtTheNewRate() {
    UploadCore core = new UploadCore(10L << 20);
    for (int i = 0; i < 10; i++) {
      core.onRequest(A, req(i), clock.nowNanos());
    }
    core.pollServe(clock.nowNanos());
    core.onServed(A, 8L << 20, clock.nowNanos()); // the bucket is spent: the other 9 wait
    assertThat(core.pollServe(clock.nowNanos())).isNull();

    core.setRate(0);

    assertThat(core.queued()).isEqualTo(9);
    List<Long> served = new ArrayList<>();
    for (UploadCore.Serve s; (s = core.pollServe(clock.nowNanos())) != null; ) {
      served.add(s.requestId());
      core.onServed(A, 1 << 20, clock.nowNanos());
    }
    assertThat(served).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    assertThat(core.rateBytesPerSecond()).isZero();

    for (int i = 10; i < 20; i++) {
      core.onRequest(A, req(i), clock.nowNanos());
    }
    core.setRate(1L << 20); // a new limit starts with a full bucket (4 MiB), then holds
    int beforeHeld = 0;
    for (UploadCore.Serve s; (s = core.pollServe(clock.nowNanos())) != null; ) {
      beforeHeld++;
      core.onServed(A, 1 << 20, clock.nowNanos());
    }
    assertThat(beforeHeld).isEqualTo(4);
    assertThat(core.queued()).isEqualTo(6);
  }
}
