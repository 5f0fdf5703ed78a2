package io.shoal.node.net;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Resolves the host names of peer addresses (they come from gossip) off the event loops: Netty's
 * default resolver calls the blocking {@link InetAddress#getByName} on the loop that connects,
 * where a slow DNS server stalls gossip and transfers for seconds. Here an IP literal resolves at
 * once; a name is looked up on one of {@link #THREADS} daemon threads, at most {@link #QUEUE}
 * waiting (past that the connection fails at once, counted as {@code queue="resolver"}), and a
 * lookup that takes longer than {@link #TIMEOUT_MILLIS} fails the connection (its thread finishes
 * the lookup in the background, and the JDK caches the answer for the next try).
 */
final class HostResolver extends AddressResolverGroup<InetSocketAddress> {
  static final int THREADS = 2;
  static final int QUEUE = 64;
  static final long TIMEOUT_MILLIS = 5000;

  /** A blocking name lookup ({@link InetAddress#getByName} in production). */
  interface Lookup {
    InetAddress byName(String host) throws UnknownHostException;
  }

  private final Lookup lookup;
  private final long timeoutMillis;
  private final CounterDataPoint refused;
  private final ThreadPoolExecutor pool;

  HostResolver(NodeMetrics metrics) {
    this(InetAddress::getByName, TIMEOUT_MILLIS, metrics);
  }

  HostResolver(Lookup lookup, long timeoutMillis, NodeMetrics metrics) {
    this.lookup = lookup;
    this.timeoutMillis = timeoutMillis;
    this.refused = metrics.tasksRefused.labelValues("resolver");
    AtomicInteger number = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "shoal-resolver-" + number.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
  }

  @Override
  protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
    return new InetNameResolver(executor) {
      @Override
      protected void doResolve(String host, Promise<InetAddress> promise) {
        lookUp(executor, host, promise);
      }

      @Override
      protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
        Promise<InetAddress> one = executor.newPromise();
        one.addListener(
            f -> {
              if (f.isSuccess()) {
                promise.trySuccess(List.of(one.getNow()));
              } else {
                promise.tryFailure(f.cause());
              }
            });
        lookUp(executor, host, one);
      }
    }.asAddressResolver();
  }

  private void lookUp(EventExecutor loop, String host, Promise<InetAddress> promise) {
    InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
    if (literal != null) {
      promise.trySuccess(literal);
      return;
    }
    ScheduledFuture<?> timeout =
        loop.schedule(
            () ->
                promise.tryFailure(
                    new UnknownHostException(
                        host + ": no answer from the name lookup within " + timeoutMillis + " ms")),
            timeoutMillis,
            TimeUnit.MILLISECONDS);
    try {
      pool.execute(
          () -> {
            try {
              promise.trySuccess(lookup.byName(host));
            } catch (UnknownHostException | RuntimeException e) {
              promise.tryFailure(e);
            } finally {
              timeout.cancel(false);
            }
          });
    } catch (RejectedExecutionException e) {
      timeout.cancel(false);
      refused.inc();
      promise.tryFailure(
          new UnknownHostException(host + ": " + QUEUE + " name lookups are already waiting"));
    }
  }

  @Override
  public void close() {
    super.close();
    pool.shutdownNow();
  }
}
