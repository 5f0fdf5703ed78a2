package io.shoal.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.shoal.node.security.CertificateAuthority;
import io.shoal.node.security.NodeCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bulk transfer through Netty's SslHandler, as the peer port does it (TLS 1.3, shoal's P-256
 * credentials, client authentication), one provider against the other: one thread encrypts 1 MiB
 * of chunk payload in 256 KiB writes on the client side and decrypts it on the server side. One
 * operation is 1 MiB, so MB/s of one core carrying both ends = ops/s x 1.048576 (bench/tls.sh
 * prints that and the cipher suite negotiated).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TlsBenchmark {
  static final int OP_BYTES = 1 << 20;
  static final int WRITE_BYTES = 256 << 10;

  @Param({"JDK", "OPENSSL"})
  String provider;

  private EmbeddedChannel client;
  private EmbeddedChannel server;
  private SslContext serverContext;
  private SslContext clientContext;
  private byte[] payload;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path dir = Files.createTempDirectory("shoal-tls-bench-");
    CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), Instant.now());
    ca.issue(dir.resolve("a"), Duration.ofDays(1), Instant.now());
    ca.issue(dir.resolve("b"), Duration.ofDays(1), Instant.now());
    NodeCredentials a = NodeCredentials.load(dir.resolve("a"), Instant.now());
    NodeCredentials b = NodeCredentials.load(dir.resolve("b"), Instant.now());
    SslProvider p = SslProvider.valueOf(provider);
    serverContext =
        SslContextBuilder.forServer(a.privateKey(), a.certificate())
            .sslProvider(p)
            .protocols("TLSv1.3")
            .clientAuth(ClientAuth.REQUIRE)
            .trustManager(InsecureTrustManagerFactory.INSTANCE)
            .build();
    clientContext =
        SslContextBuilder.forClient()
            .sslProvider(p)
            .protocols("TLSv1.3")
            .keyManager(b.privateKey(), b.certificate())
            .trustManager(InsecureTrustManagerFactory.INSTANCE)
            .endpointIdentificationAlgorithm(null)
            .build();
    client = new EmbeddedChannel(clientContext.newHandler(ByteBufAllocator.DEFAULT));
    server = new EmbeddedChannel(serverContext.newHandler(ByteBufAllocator.DEFAULT));
    for (int i = 0; i < 10; i++) {
      pump(client, server);
      pump(server, client);
    }
    SslHandler h = client.pipeline().get(SslHandler.class);
    if (!h.handshakeFuture().isSuccess()) {
      throw new IllegalStateException("handshake did not complete: " + h.handshakeFuture().cause());
    }
    System.err.println(
        "provider "
            + provider
            + " negotiated "
            + h.engine().getSession().getProtocol()
            + " "
            + h.engine().getSession().getCipherSuite());
    payload = new byte[WRITE_BYTES];
    new SplittableRandom(1).nextBytes(payload);
  }

  private static void pump(EmbeddedChannel from, EmbeddedChannel to) {
    Object m;
    while ((m = from.readOutbound()) != null) {
      to.writeInbound(m);
    }
  }

  @Benchmark
  public long transfer() {
    long received = 0;
    for (int sent = 0; sent < OP_BYTES; sent += WRITE_BYTES) {
      client.writeOutbound(ByteBufAllocator.DEFAULT.directBuffer(WRITE_BYTES).writeBytes(payload));
      pump(client, server);
      Object m;
      while ((m = server.readInbound()) != null) {
        received += ((ByteBuf) m).readableBytes();
        ReferenceCountUtil.release(m);
      }
    }
    return received;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.finishAndReleaseAll();
    server.finishAndReleaseAll();
    ReferenceCountUtil.release(serverContext);
    ReferenceCountUtil.release(clientContext);
  }
}
