package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipConfig;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.GossipEvent;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.membership.Follow;
import io.shoal.node.core.membership.LearnedWinner;
import io.shoal.node.net.NodeMetrics;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gossip loop's bound on peers' messages: past it one is dropped, and counted. */
class GossipDriverTest {
  private static final NodeId SELF = new NodeId(1, 1);
  private static final NodeId PEER = new NodeId(2, 2);
  private static final Endpoint PEER_AT = new Endpoint("127.0.0.1", 2);

  private final DefaultEventLoop loop = new DefaultEventLoop();
  private final NodeMetrics metrics = new NodeMetrics();
  private final CountDownLatch release = new CountDownLatch(1);
  private final GossipDriver driver =
      new GossipDriver(
          SELF,
          new GossipCore(
              GossipConfig.defaults(),
              SELF,
              new Endpoint("127.0.0.1", 1),
              1,
              ClaimAuthority.unsigned(),
              new SplittableRandom(1),
              System.nanoTime()),
          List.of(),
          loop,
          null, // sends nothing: the loop runs no input while the test holds it
          metrics,
          new GossipDriver.Outputs() {
            @Override
            public void onEvent(GossipEvent e) {}

            @Override
            public void onGone(NodeId member) {}

            @Override
            public void onWinner(LearnedWinner w) {}

            @Override
            public void onFollow(Follow f) {}
          });

  @AfterEach
  void stop() {
    driver.stop();
    release.countDown();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @Test
  void onMessage_pastPeerInputs_isDroppedAndCountedAsGossipPeer() throws InterruptedException {
    LoopHold.until(loop, release);
    GossipMessage empty = new GossipMessage.Gossip(List.of());
    for (int i = 0; i < GossipDriver.PEER_INPUTS; i++) {
      driver.onMessage(PEER, PEER_AT, empty);
    }
    assertThat(metrics.tasksRefused.labelValues("gossip_peer").get())
        .as("refused with PEER_INPUTS (%d) waiting", GossipDriver.PEER_INPUTS)
        .isZero();

    driver.onMessage(PEER, PEER_AT, empty);

    assertThat(metrics.tasksRefused.labelValues("gossip_peer").get())
        .as("shoal_tasks_refused_total{queue=\"gossip_peer\"} past PEER_INPUTS")
        .isEqualTo(1);
  }
}
