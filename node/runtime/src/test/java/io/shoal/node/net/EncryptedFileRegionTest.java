package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sendfile cannot pass through TLS: a file region written to an encrypted connection is copied. */
class EncryptedFileRegionTest {
  @TempDir Path tmp;

  @Test
  void fileRegion_onAnEncryptedChannel_arrivesAsItsBytes_andIsReleased() throws Exception {
    CertificateAuthority ca = CertificateAuthority.init(tmp.resolve("ca"), Instant.now());
    ca.issue(tmp.resolve("n"), Duration.ofDays(1), Instant.now());
    NodeCredentials c = NodeCredentials.load(tmp.resolve("n"), Instant.now());
    SslContext server =
        SslContextBuilder.forServer(c.privateKey(), c.certificate())
            .sslProvider(SslProvider.JDK)
            .protocols("TLSv1.3")
            .clientAuth(ClientAuth.NONE)
            .build();
    SslContext client =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .protocols("TLSv1.3")
            .trustManager(InsecureTrustManagerFactory.INSTANCE)
            .endpointIdentificationAlgorithm(null)
            .build();
    EmbeddedChannel sender =
        new EmbeddedChannel(
            client.newHandler(ByteBufAllocator.DEFAULT),
            new FrameCodec.MessageEncoder(new NodeMetrics()));
    EmbeddedChannel receiver = new EmbeddedChannel(server.newHandler(ByteBufAllocator.DEFAULT));
    for (int i = 0; i < 10; i++) {
      pump(sender, receiver);
      pump(receiver, sender);
    }
    assertThat(sender.pipeline().get(SslHandler.class).handshakeFuture().isSuccess()).isTrue();

    byte[] bytes = new byte[300_000];
    new SplittableRandom(3).nextBytes(bytes);
    Path pack = Files.write(tmp.resolve("pack"), bytes);
    try (FileChannel file = FileChannel.open(pack, StandardOpenOption.READ)) {
      SharedFileRegion region = new SharedFileRegion(file, 1000, 200_000);
      assertThat(sender.writeAndFlush(region).isSuccess()).isTrue();
      assertThat(region.refCnt()).isZero();
      pump(sender, receiver);
    }
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    Object m;
    while ((m = receiver.readInbound()) != null) {
      ByteBuf b = (ByteBuf) m;
      byte[] part = new byte[b.readableBytes()];
      b.readBytes(part);
      got.write(part);
      b.release();
    }
    assertThat(got.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 1000, 201_000));
    sender.finishAndReleaseAll();
    receiver.finishAndReleaseAll();
    ReferenceCountUtil.release(server);
    ReferenceCountUtil.release(client);
  }

  private static void pump(EmbeddedChannel from, EmbeddedChannel to) {
    Object m;
    while ((m = from.readOutbound()) != null) {
      to.writeInbound(m);
    }
  }
}
