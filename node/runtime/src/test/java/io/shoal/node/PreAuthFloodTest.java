package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Strangers that connect and push a chunk frame's worth of bytes before authenticating: whatever
 * they send, a node holds at most a small bound per connection, closes them all, and lets a
 * legitimate node join afterwards.
 */
class PreAuthFloodTest {
  static final int CONNECTIONS = 1000;
  static final int ATTACKERS = 32;

  /** Remote addresses the attackers spread over (127.0.0.2 ...), past the per-address cap. */
  static final int SOURCE_ADDRESSES = 8;

  static final int BYTES_PER_CONNECTION = 4 << 20;
  static final int WRITE_BYTES = 64 << 10;

  /**
   * Direct memory the node may keep above its baseline once the flood is over: the allocator's
   * cached chunks, nothing per connection. Unbounded buffering would be gigabytes.
   */
  static final long SLACK_AFTER_BYTES = 16L << 20;

  /**
   * Peak direct memory above the baseline while the flood runs: 32 attackers x 4 MiB would be 128
   * MiB.
   */
  static final long SLACK_DURING_BYTES = 48L << 20;

  @TempDir Path tmp;
  private TestSwarm swarm;

  @BeforeEach
  void makeSwarm() {
    swarm = new TestSwarm(tmp);
  }

  @AfterEach
  void stopSwarm() {
    swarm.close();
  }

  @ParameterizedTest(name = "secured = {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName(
      "1,000 unauthenticated connections each sending 4 MiB: memory returns to its baseline, all"
          + " are closed, and a legitimate node still joins")
  void flood_ofUnauthenticatedConnections_leavesNothingBehind(boolean secured) throws Exception {
    ShoalNode target =
        swarm.start(secured ? swarm.config("target") : swarm.insecureConfig("target"));
    long baseline = PlatformDependent.usedDirectMemory();
    AtomicLong peak = new AtomicLong(baseline);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(
        () -> peak.accumulateAndGet(PlatformDependent.usedDirectMemory(), Math::max),
        0,
        5,
        TimeUnit.MILLISECONDS);
    AtomicInteger cut = new AtomicInteger();
    ExecutorService attackers = Executors.newFixedThreadPool(ATTACKERS);
    try {
      for (int i = 0; i < CONNECTIONS; i++) {
        int n = i;
        attackers.execute(() -> attack(target.peerAddress().port(), n, cut));
      }
      attackers.shutdown();
      assertThat(attackers.awaitTermination(3, TimeUnit.MINUTES)).isTrue();
    } finally {
      attackers.shutdownNow();
      sampler.shutdownNow();
    }
    assertThat(cut.get()).as("connections the node cut or refused").isPositive();
    assertThat(peak.get() - baseline)
        .as("direct memory above baseline during the flood")
        .isLessThan(SLACK_DURING_BYTES);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(target.metrics().scrape()).contains("shoal_peer_connections 0.0");
              assertThat(PlatformDependent.usedDirectMemory() - baseline)
                  .as("direct memory above baseline after the flood")
                  .isLessThan(SLACK_AFTER_BYTES);
            });
    // Garbage fails the TLS handshake (BoringSSL names it WRONG_VERSION_NUMBER or
    // UNEXPECTED_MESSAGE, the JDK a record that is not TLS); an insecure node's frame bound cuts
    // it.
    assertThat(target.metrics().scrape())
        .containsAnyOf(
            secured
                ? new String[] {"reason=\"tls\"", "reason=\"not_tls\""}
                : new String[] {"reason=\"frame_too_large\""});

    ShoalNode legit =
        swarm.start(
            (secured ? swarm.config("legit") : swarm.insecureConfig("legit"))
                .withSeeds(List.of(target.peerAddress())));
    NodeClusterTest.awaitMembers(List.of(target, legit), 2);
  }

  /**
   * One stranger: from one of {@link #SOURCE_ADDRESSES} loopback addresses, a chunk frame header
   * announcing 4 MiB (or, every other time, TLS handshake record headers announcing 16 KiB each),
   * then bytes as fast as the socket takes them until all are sent or the node cuts it.
   */
  private static void attack(int port, int n, AtomicInteger cut) {
    byte[] block = new byte[WRITE_BYTES];
    ByteBuffer b = ByteBuffer.wrap(block);
    if (n % 2 == 0) {
      b.putInt(BYTES_PER_CONNECTION - 4).put((byte) 2); // a chunk frame, length and kind
    } else {
      for (int at = 0; at + 16 * 1024 + 5 <= block.length; at += 16 * 1024 + 5) {
        b.put(at, (byte) 0x16)
            .put(at + 1, (byte) 3)
            .put(at + 2, (byte) 3)
            .putShort(at + 3, (short) 16384);
      }
    }
    try (Socket s = new Socket()) {
      s.bind(
          new InetSocketAddress(InetAddress.getByName("127.0.0." + (2 + n % SOURCE_ADDRESSES)), 0));
      s.setSoTimeout(Strangers.SOCKET_TIMEOUT_MILLIS);
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      OutputStream out = s.getOutputStream();
      for (int sent = 0; sent < BYTES_PER_CONNECTION; sent += block.length) {
        out.write(block);
      }
      out.flush();
      if (s.getInputStream().read(new byte[4096]) < 0) {
        cut.incrementAndGet();
      }
    } catch (IOException e) {
      cut.incrementAndGet();
    }
  }
}
