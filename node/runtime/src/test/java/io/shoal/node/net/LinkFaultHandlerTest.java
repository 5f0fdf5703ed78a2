package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link LinkFaultHandler} on an embedded channel whose peer is authenticated, with frozen time.
 */
class LinkFaultHandlerTest {
  static final NodeId PEER = new NodeId(7, 9);
  static final NodeId OTHER = new NodeId(1, 2);

  private final LinkFaults faults = new LinkFaults();
  private final NodeMetrics metrics = new NodeMetrics();

  private EmbeddedChannel channel(boolean authenticated) {
    EmbeddedChannel ch = new EmbeddedChannel(new LinkFaultHandler(faults, metrics));
    ch.freezeTime();
    if (authenticated) {
      ch.attr(PeerHandler.PEER)
          .set(new PeerAuthenticated(PEER, new Endpoint("127.0.0.1", 7420), 1, new byte[0]));
    }
    return ch;
  }

  private static LinkFaults.Rules rules(
      Set<NodeId> to, Set<NodeId> from, long latencyMillis, double loss, boolean frozen) {
    return new LinkFaults.Rules(to, from, latencyMillis, loss, frozen, 42);
  }

  private static List<Object> inbound(EmbeddedChannel ch) {
    List<Object> out = new ArrayList<>();
    for (Object m; (m = ch.readInbound()) != null; ) {
      out.add(m);
    }
    return out;
  }

  @Test
  void read_dropFromThePeer_dropsAndCounts_butOtherPeersPass() {
    faults.set(rules(Set.of(), Set.of(PEER), 0, 0, false));
    EmbeddedChannel ch = channel(true);

    ch.writeInbound("ping");

    assertThat(inbound(ch)).isEmpty();
    assertThat(metrics.scrape())
        .contains("shoal_peer_messages_dropped_total{reason=\"injected\"} 1");
    faults.set(rules(Set.of(), Set.of(OTHER), 0, 0, false));
    ch.writeInbound("pong");
    assertThat(inbound(ch)).containsExactly("pong");
  }

  @Test
  void write_dropToThePeer_isReportedSentButNeverLeaves_andReleasesBuffers() {
    faults.set(rules(Set.of(PEER), Set.of(), 0, 0, false));
    EmbeddedChannel ch = channel(true);
    var frame = Unpooled.buffer(4).writeInt(1);

    var sent = ch.writeAndFlush(frame);

    assertThat(sent.isSuccess()).isTrue();
    assertThat(ch.outboundMessages()).isEmpty();
    assertThat(frame.refCnt()).isZero();
  }

  @Test
  void readAndWrite_frozen_dropEverythingBothWays() {
    faults.set(rules(Set.of(), Set.of(), 0, 0, true));
    EmbeddedChannel ch = channel(true);

    ch.writeInbound("in");
    ch.writeAndFlush("out");

    assertThat(inbound(ch)).isEmpty();
    assertThat(ch.outboundMessages()).isEmpty();
  }

  @Test
  void read_beforeAuthentication_passesWhateverTheRules() {
    faults.set(rules(Set.of(), Set.of(), 0, 0, true));
    EmbeddedChannel ch = channel(false);

    ch.writeInbound("hello");

    assertThat(inbound(ch)).containsExactly("hello");
  }

  @Test
  void read_withLatency_holdsMessagesUntilDue_inOrder() {
    faults.set(rules(Set.of(), Set.of(), 100, 0, false));
    EmbeddedChannel ch = channel(true);

    ch.writeInbound("a");
    ch.advanceTimeBy(50, TimeUnit.MILLISECONDS);
    ch.writeInbound("b");
    faults.set(LinkFaults.Rules.none());
    ch.writeInbound("c");
    ch.runScheduledPendingTasks();
    assertThat(inbound(ch)).isEmpty();

    ch.advanceTimeBy(50, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(inbound(ch)).containsExactly("a");

    ch.advanceTimeBy(50, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(inbound(ch)).containsExactly("b", "c");
  }

  @Test
  void read_withLatency_pastTheBound_dropsTheRest() {
    faults.set(rules(Set.of(), Set.of(), 1000, 0, false));
    EmbeddedChannel ch = channel(true);

    for (int i = 0; i < LinkFaultHandler.MAX_DELAYED_MESSAGES + 10; i++) {
      ch.writeInbound(i);
    }
    ch.advanceTimeBy(1, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();

    assertThat(inbound(ch)).hasSize(LinkFaultHandler.MAX_DELAYED_MESSAGES);
    assertThat(metrics.scrape())
        .contains("shoal_peer_messages_dropped_total{reason=\"injected\"} 10");
  }

  @Test
  void read_withALossRate_dropsAboutThatShareOfControlMessages() {
    faults.set(rules(Set.of(), Set.of(), 0, 0.3, false));
    EmbeddedChannel ch = channel(true);

    for (int i = 0; i < 10_000; i++) {
      ch.writeInbound(i);
    }

    assertThat(inbound(ch).size()).isBetween(6_600, 7_400);
  }
}
