package io.shoal.node;

import io.shoal.node.security.NodeCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Attackers for tests: TLS endpoints that present a certificate of their own and trust anything,
 * and TCP forwarders. Each owns a small fixed pool of threads, stopped by close; sockets time out.
 */
final class Strangers {
  static final int SOCKET_TIMEOUT_MILLIS = 10_000;
  static final int MAX_THREADS = 16;

  private Strangers() {}

  /** A TLS context presenting {@code own}'s certificate and trusting every peer. */
  static SSLContext trustingEverything(NodeCredentials own) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = "x".toCharArray();
    ks.setKeyEntry("k", own.privateKey(), pw, new X509Certificate[] {own.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    TrustManager trustAll =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), new TrustManager[] {trustAll}, null);
    return ctx;
  }

  /** Copies {@code in} to {@code out} until either ends; each chunk also goes to {@code tap}. */
  static void pump(InputStream in, OutputStream out, Consumer<byte[]> tap) {
    byte[] buf = new byte[64 * 1024];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        tap.accept(java.util.Arrays.copyOf(buf, n));
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed: the splice ends
    }
  }

  static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /**
   * A keyless relay spliced between two nodes: it accepts TLS connections with a certificate of its
   * own, opens its own TLS connection to {@code target} with the same certificate, and forwards
   * whatever plaintext each side gives it.
   */
  static final class Relay implements AutoCloseable {
    private final SSLServerSocket server;
    private final ExecutorService threads = Executors.newFixedThreadPool(MAX_THREADS);
    private final SSLContext ctx;
    private final InetSocketAddress target;
    final java.util.concurrent.atomic.AtomicLong forwardedBytes =
        new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicInteger accepted =
        new java.util.concurrent.atomic.AtomicInteger();

    Relay(SSLContext ctx, InetSocketAddress target) throws IOException {
      this.ctx = ctx;
      this.target = target;
      this.server =
          (SSLServerSocket)
              ctx.getServerSocketFactory()
                  .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      server.setWantClientAuth(true);
      threads.execute(this::acceptLoop);
    }

    int port() {
      return server.getLocalPort();
    }

    private void count(byte[] forwarded) {
      forwardedBytes.addAndGet(forwarded.length);
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket a = server.accept();
          accepted.incrementAndGet();
          threads.execute(() -> splice((SSLSocket) a));
        } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
          return;
        }
      }
    }

    private void splice(SSLSocket a) {
      try (SSLSocket b =
          (SSLSocket) ctx.getSocketFactory().createSocket(target.getAddress(), target.getPort())) {
        a.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
        b.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
        b.startHandshake();
        a.startHandshake();
        threads.execute(
            () -> {
              try {
                pump(b.getInputStream(), a.getOutputStream(), this::count);
              } catch (IOException e) {
                // closed
              } finally {
                closeQuietly(a);
              }
            });
        pump(a.getInputStream(), b.getOutputStream(), this::count);
      } catch (IOException e) {
        // a handshake failed, as it should
      } finally {
        closeQuietly(a);
      }
    }

    @Override
    public void close() throws Exception {
      server.close();
      threads.shutdownNow();
      threads.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A transparent TCP forwarder on loopback that records every byte both ways: what an observer of
   * the network between two nodes sees.
   */
  static final class RecordingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newFixedThreadPool(MAX_THREADS);
    private final InetSocketAddress target;
    private final java.io.ByteArrayOutputStream recorded = new java.io.ByteArrayOutputStream();

    RecordingProxy(InetSocketAddress target) throws IOException {
      this.target = target;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      threads.execute(this::acceptLoop);
    }

    int port() {
      return server.getLocalPort();
    }

    /** Every byte forwarded so far, both directions. */
    synchronized byte[] recorded() {
      return recorded.toByteArray();
    }

    private synchronized void record(byte[] b) {
      recorded.write(b, 0, b.length);
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket a = server.accept();
          threads.execute(() -> forward(a));
        } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
          return;
        }
      }
    }

    private void forward(Socket a) {
      try (Socket b = new Socket(target.getAddress(), target.getPort())) {
        threads.execute(
            () -> {
              try {
                pump(b.getInputStream(), a.getOutputStream(), this::record);
              } catch (IOException e) {
                // closed
              } finally {
                closeQuietly(a);
              }
            });
        pump(a.getInputStream(), b.getOutputStream(), this::record);
      } catch (IOException e) {
        // target gone
      } finally {
        closeQuietly(a);
      }
    }

    @Override
    public void close() throws Exception {
      server.close();
      threads.shutdownNow();
      threads.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
