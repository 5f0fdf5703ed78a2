package io.shoal.node.core;

import static io.shoal.node.core.FetchCoreTest.A;
import static io.shoal.node.core.FetchCoreTest.B;
import static io.shoal.node.core.FetchCoreTest.CHUNK;
import static io.shoal.node.core.FetchCoreTest.SELF;
import static io.shoal.node.core.FetchCoreTest.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.TransferMessage.ChunkRequest;
import io.shoal.node.core.TransferMessage.DeltaRequest;
import io.shoal.node.core.TransferMessage.Request;
import io.shoal.testing.FakeClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A chunk with bases is asked for as a delta, until a reply for it fails verification. */
class DeltaRequestTest {
  final FakeClock clock = new FakeClock(11);
  final ChunkId root = id("root");
  final ChunkId wanted = id("new");
  final List<ChunkId> bases = List.of(id("old0"), id("old1"));

  private FetchCore core() {
    FetchCore core = new FetchCore(root, TransferConfig.defaults(), SELF);
    core.addWanted(List.of(new FetchCore.Wanted(wanted, CHUNK, 0, 0, bases)), 1, clock.nowNanos());
    core.onPlanComplete(clock.nowNanos());
    return core;
  }

  private static List<Request> requests(FetchCore core, NodeId peer) {
    List<Request> out = new ArrayList<>();
    for (FetchCore.Outbound o; (o = core.pollOutbound()) != null; ) {
      if (o.peer().equals(peer) && o.message() instanceof Request r) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void send_chunkWithBases_isADeltaRequestNamingThem() {
    FetchCore core = core();
    core.addPeer(A, true, clock.nowNanos());

    assertThat(requests(core, A))
        .singleElement()
        .isInstanceOfSatisfying(
            DeltaRequest.class,
            d -> {
              assertThat(d.id()).isEqualTo(wanted);
              assertThat(d.bases()).isEqualTo(bases);
            });
  }

  @Test
  void onChunk_deltaFailsVerification_theChunkIsAskedForWholeElsewhere() {
    FetchCore core = core();
    core.addPeer(A, true, clock.nowNanos());
    Request first = requests(core, A).get(0);
    assertThat(first).as("the first request").isInstanceOf(DeltaRequest.class);

    core.onChunk(A, first.requestId(), false, 100, clock.nowNanos());
    core.addPeer(B, true, clock.nowNanos());

    assertThat(requests(core, B))
        .as("the request after a bad delta")
        .singleElement()
        .isInstanceOfSatisfying(ChunkRequest.class, r -> assertThat(r.id()).isEqualTo(wanted));
    assertThat(core.bannedPeers()).as("one strike is not a ban").isEmpty();
  }

  @Test
  void deltaRequest_withNoBaseOrPastTheBound_isRefused() {
    assertThatThrownBy(() -> new DeltaRequest(1, wanted, List.of(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not 0");
    List<ChunkId> many = Collections.nCopies(DeltaRequest.MAX_BASES + 1, wanted);
    assertThatThrownBy(() -> new DeltaRequest(1, wanted, many, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not " + (DeltaRequest.MAX_BASES + 1));
  }

  @Test
  void uploadCore_deltaRequest_isServedWithItsBases() {
    UploadCore upload = new UploadCore(0);
    upload.onRequest(A, new DeltaRequest(5, wanted, bases, 0), clock.nowNanos());

    UploadCore.Serve s = upload.pollServe(clock.nowNanos());

    assertThat(s.requestId()).isEqualTo(5);
    assertThat(s.bases()).isEqualTo(bases);
  }
}
