package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostResolverTest {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final CountDownLatch dnsAnswers = new CountDownLatch(1);
  private final NodeMetrics metrics = new NodeMetrics();

  @AfterEach
  void stop() {
    dnsAnswers.countDown();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** A lookup that hangs until the test lets it answer, as a dead DNS server does. */
  private InetAddress hangingLookup(String host) throws UnknownHostException {
    try {
      dnsAnswers.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new UnknownHostException(host);
  }

  private Future<InetSocketAddress> resolveOnLoop(HostResolver resolver, String host)
      throws Exception {
    EventExecutor loop = group.next();
    return loop.submit(
            () ->
                resolver.getResolver(loop).resolve(InetSocketAddress.createUnresolved(host, 7420)))
        .get(5, TimeUnit.SECONDS);
  }

  @Test
  void resolve_hangingLookup_loopStaysFreeAndTheLookupTimesOut() throws Exception {
    try (HostResolver resolver = new HostResolver(this::hangingLookup, 300, metrics)) {
      Future<InetSocketAddress> slow = resolveOnLoop(resolver, "slow.example");
      // The loop answers another task at once while the lookup hangs.
      assertThat(group.next().submit(() -> 42).get(1, TimeUnit.SECONDS)).isEqualTo(42);
      assertThatThrownBy(() -> slow.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasRootCauseInstanceOf(UnknownHostException.class)
          .hasMessageContaining("within 300 ms");
    }
  }

  @Test
  void resolve_ipLiteral_answersWithoutALookup() throws Exception {
    try (HostResolver resolver = new HostResolver(this::hangingLookup, 300, metrics)) {
      InetSocketAddress a = resolveOnLoop(resolver, "127.0.0.1").get(1, TimeUnit.SECONDS);
      assertThat(a.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void resolve_moreLookupsThanTheQueue_refusesAndCounts() throws Exception {
    try (HostResolver resolver = new HostResolver(this::hangingLookup, 60_000, metrics)) {
      for (int i = 0; i < HostResolver.THREADS + HostResolver.QUEUE; i++) {
        resolveOnLoop(resolver, "slow" + i + ".example");
      }
      Future<InetSocketAddress> refused = resolveOnLoop(resolver, "one-too-many.example");
      assertThatThrownBy(() -> refused.get(1, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(UnknownHostException.class)
          .hasMessageContaining("already waiting");
      assertThat(metrics.tasksRefused.labelValues("resolver").get()).isEqualTo(1);
    }
  }
}
