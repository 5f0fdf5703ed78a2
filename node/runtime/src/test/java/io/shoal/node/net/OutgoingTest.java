package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OutgoingTest {
  private final NodeMetrics metrics = new NodeMetrics();
  private final List<NodeId> reached = new ArrayList<>();
  private final Outgoing outgoing =
      new Outgoing(
          metrics,
          new Endpoint("127.0.0.1", 7420),
          new PeerTransport.DialListener() {
            @Override
            public void onReached(Endpoint to, NodeId peer) {
              reached.add(peer);
            }

            @Override
            public void onFailed(Endpoint to, DialFailure why) {}
          });

  /**
   * Found by ViewCatalogClusterTest under load (5 of 65 runs beside two busy loops): the handshake
   * passed before the connect listener had set the channel (most likely its thread was descheduled
   * between Bootstrap.connect and adding the listener), and the waiting sync page was written to no
   * channel (counted as dropped, never resent).
   */
  @Test
  @DisplayName(
      "a handshake that passes before the connect listener has run still sends what waited, on its"
          + " own channel")
  void handshakeBeforeTheConnectListener_sendsWhatWaited() {
    EmbeddedChannel ch = new EmbeddedChannel();
    outgoing.send("first");
    outgoing.send("second");

    outgoing.ready(ch, new NodeId(2, 2)); // outgoing.channel was never set by a connect listener

    assertThat(List.<Object>of(ch.readOutbound(), ch.readOutbound()))
        .containsExactly("first", "second");
    assertThat(reached).containsExactly(new NodeId(2, 2));
    outgoing.send("third");
    Object third = ch.readOutbound();
    assertThat(third).isEqualTo("third");
    ch.finishAndReleaseAll();
  }
}
