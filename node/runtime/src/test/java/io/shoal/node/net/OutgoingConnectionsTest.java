package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutgoingConnectionsTest {
  private static final int THREADS_AND_QUEUE = HostResolver.THREADS + HostResolver.QUEUE;
  private static final long LOOKUP_TIMEOUT_MILLIS = 60_000;

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final CountDownLatch dnsAnswers = new CountDownLatch(1);
  private final NodeMetrics metrics = new NodeMetrics();
  private final Map<Endpoint, DialFailure> failures = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    dnsAnswers.countDown();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private InetAddress hangingLookup(String host) throws UnknownHostException {
    try {
      dnsAnswers.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new UnknownHostException(host);
  }

  private OutgoingConnections connections(HostResolver resolver) {
    PeerPipeline pipeline =
        new PeerPipeline(
            "default",
            new NodeId(1, 1),
            null,
            metrics,
            new LogLimiter(TimeUnit.MINUTES.toNanos(1)),
            (from, fromAddress, link, message) -> {},
            TransportFilter::allowAll,
            new LinkFaults());
    OutgoingConnections c = new OutgoingConnections(group, metrics, pipeline, resolver, false);
    c.onDial(
        new PeerTransport.DialListener() {
          @Override
          public void onReached(Endpoint to, NodeId peer) {}

          @Override
          public void onFailed(Endpoint to, DialFailure why) {
            failures.put(to, why);
          }
        });
    return c;
  }

  /**
   * A connect that fails while it is being opened (here the resolver refuses at once: its queue is
   * full, as it can also be for a name the system rejects at once) used to remove its own entry
   * inside the map's computeIfAbsent, which threw "Recursive update" out of send; it is reported as
   * a failed dial instead.
   */
  @Test
  void connectFailingAtOnce_isReportedNotThrown() throws Exception {
    try (HostResolver resolver =
        new HostResolver(this::hangingLookup, LOOKUP_TIMEOUT_MILLIS, metrics)) {
      OutgoingConnections c = connections(resolver);
      for (int i = 0; i < THREADS_AND_QUEUE; i++) {
        Endpoint slow = new Endpoint("slow" + i + ".example", 7420);
        group.next().submit(() -> c.send(slow, "hello")).get(5, TimeUnit.SECONDS);
      }
      // Into an empty map: only the first entry of a bin is reserved while computeIfAbsent runs.
      OutgoingConnections fresh = connections(resolver);
      Endpoint refused = new Endpoint("one-too-many.example", 7420);
      group.next().submit(() -> fresh.send(refused, "hello")).get(5, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(failures.get(refused))
                      .isEqualTo(new DialFailure.Unresolvable("one-too-many.example")));
    }
  }
}
