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
  private static final int THREADS_AND_QUEUE = HostResolver.THREADS + HostResolver.QUEUE;

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

  private Future<InetSocketAddress> resolveOnLoop(HostResolver resolver, String host) {
    EventExecutor loop = group.next();
    Future<Future<InetSocketAddress>> started =
        loop.submit(
            () ->
                resolver.getResolver(loop).resolve(InetSocketAddress.createUnresolved(host, 7420)));
    assertThat(started.awaitUninterruptibly(5, TimeUnit.SECONDS))
        .as("resolve(%s) returned to the event loop within 5 s (no lookup may block it)", host)
        .isTrue();
    return started.getNow();
  }

  @Test
  void resolve_hangingLookup_loopStaysFreeAndTheLookupTimesOut() throws Exception {
    try (HostResolver resolver = new HostResolver(this::hangingLookup, 300, metrics)) {
      Future<InetSocketAddress> slow = resolveOnLoop(resolver, "slow.example");
      // The loop answers another task at once while the lookup hangs.
      assertThat(group.next().submit(() -> 42).get(1, TimeUnit.SECONDS)).isEqualTo(42);
      assertThat(slow.await(5, TimeUnit.SECONDS))
          .as("a hanging lookup failed within 5 s by its 300 ms timeout")
          .isTrue();
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
      for (int i = 0; i < THREADS_AND_QUEUE; i++) {
        resolveOnLoop(resolver, "slow" + i + ".example");
      }
      Future<InetSocketAddress> refused = resolveOnLoop(resolver, "one-too-many.example");
      assertThat(refused.await(1, TimeUnit.SECONDS))
          .as("a lookup past THREADS + QUEUE (%d) failed at once", THREADS_AND_QUEUE)
          .isTrue();
      assertThatThrownBy(() -> refused.get(1, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(UnknownHostException.class)
          .hasMessageContaining("already waiting");
      assertThat(metrics.tasksRefused.labelValues("resolver").get()).isEqualTo(1);
    }
  }
}
