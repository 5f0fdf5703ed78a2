package io.shoal.node.net;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.shoal.node.security.NodeCredentials;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS of the peer port: TLS 1.3 only, mutual authentication (client certificate required), trust
 * decided by {@link ClusterTrustManager}. Holds the current server and client contexts; a renewed
 * credential replaces both, so every new connection presents the new certificate while open ones
 * keep theirs.
 *
 * <p>Provider: OpenSSL (netty-tcnative, BoringSSL) when its native library loads, else the JDK's
 * SunJSSE. Measured on this project's 2-core machine with TLS_AES_128_GCM_SHA256 (see {@code
 * bench/README.md}), BoringSSL moves about twice the bytes per core; the JDK provider is the
 * fallback for platforms without the native library. {@code -Dshoal.tls.provider=jdk} forces it.
 *
 * <p>Memory before authentication: SslHandler accumulates at most one TLS record (16 KiB of
 * plaintext plus its header and tag, about 17 KiB) before it decrypts or fails it, and refuses a
 * record header announcing more (NotSslRecordException); behind it, {@link FrameDecoder} holds at
 * most {@link WireProtocol#MAX_PREAUTH_FRAME_BYTES}.
 *
 * <p>Thread-safe.
 */
final class PeerTls implements AutoCloseable {
  /** Longest a TLS handshake may take; the whole handshake has {@link HandshakeHandler}'s bound. */
  static final long TLS_HANDSHAKE_TIMEOUT_MILLIS =
      TimeUnit.SECONDS.toMillis(HandshakeHandler.TIMEOUT_SECONDS);

  private static final String PROTOCOL = "TLSv1.3";
  private static final Logger log = LoggerFactory.getLogger(PeerTls.class);

  private final SslProvider provider;
  private final ClusterTrustManager trustManager;
  private volatile Contexts contexts;

  private record Contexts(SslContext server, SslContext client) {}

  PeerTls(NodeCredentials credentials) throws SSLException {
    this.provider = chooseProvider();
    this.trustManager = new ClusterTrustManager(credentials.trust());
    this.contexts = build(credentials);
    log.debug("peer TLS through the {} provider", provider);
  }

  /** The provider that serves TLS: OpenSSL when available (and not overridden), else the JDK's. */
  static SslProvider chooseProvider() {
    String forced = System.getProperty("shoal.tls.provider", "").toLowerCase(Locale.ROOT);
    if (forced.equals("jdk")) {
      return SslProvider.JDK;
    }
    if (OpenSsl.isAvailable()) {
      return SslProvider.OPENSSL;
    }
    if (forced.equals("openssl")) {
      log.warn(
          "the OpenSSL provider was asked for but cannot load ({}); using the JDK's",
          String.valueOf(OpenSsl.unavailabilityCause()));
    }
    return SslProvider.JDK;
  }

  SslProvider provider() {
    return provider;
  }

  ClusterTrustManager trustManager() {
    return trustManager;
  }

  private Contexts build(NodeCredentials c) throws SSLException {
    SslContext server =
        SslContextBuilder.forServer(c.privateKey(), c.certificate())
            .sslProvider(provider)
            .protocols(PROTOCOL)
            .clientAuth(ClientAuth.REQUIRE)
            .trustManager(trustManager)
            .build();
    SslContext client;
    try {
      client =
          SslContextBuilder.forClient()
              .sslProvider(provider)
              .protocols(PROTOCOL)
              .keyManager(c.privateKey(), c.certificate())
              .trustManager(trustManager)
              // Netty 4.2 turns host name verification on for clients by default. Peers are named
              // by node id and reached at whatever address gossip learned; the certificate binds
              // the id, which the trust manager checks. A host name check would refuse every peer.
              .endpointIdentificationAlgorithm(null)
              .build();
    } catch (SSLException | RuntimeException e) {
      ReferenceCountUtil.release(server);
      throw e;
    }
    return new Contexts(server, client);
  }

  /** Uses {@code now} for every connection opened from here on. */
  void update(NodeCredentials now) throws SSLException {
    Contexts fresh = build(now);
    trustManager.update(now.trust());
    Contexts old = contexts;
    contexts = fresh;
    release(old); // engines of open connections hold their own reference
  }

  /** A new handler for {@code ch}, as the client or the server side of the connection. */
  SslHandler newHandler(Channel ch, boolean client) {
    Contexts c = contexts;
    SslHandler h = (client ? c.client() : c.server()).newHandler(ch.alloc());
    h.setHandshakeTimeoutMillis(TLS_HANDSHAKE_TIMEOUT_MILLIS);
    return h;
  }

  @Override
  public void close() {
    release(contexts);
  }

  private static void release(Contexts c) {
    ReferenceCountUtil.release(c.server());
    ReferenceCountUtil.release(c.client());
  }
}
