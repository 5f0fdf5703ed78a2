package io.shoal.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Self-signed certificates for tests, made by the JDK's own {@code keytool} (no extra library). */
public final class TestCertificates {
  /** How long keytool may take: it starts a JVM. */
  static final long KEYTOOL_TIMEOUT_SECONDS = 60;

  private static final char[] PASSWORD = "test-only".toCharArray();

  private TestCertificates() {}

  /**
   * A key and its self-signed certificate.
   *
   * @param key the EC P-256 private key
   * @param chain the certificate alone
   */
  public record KeyAndChain(PrivateKey key, List<X509Certificate> chain) {}

  /**
   * A fresh P-256 key with a self-signed certificate for {@code CN=commonName}, also valid for
   * {@code localhost} and {@code 127.0.0.1}; its key store is written into {@code dir}.
   */
  public static KeyAndChain selfSigned(Path dir, String commonName)
      throws IOException, InterruptedException, GeneralSecurityException {
    Files.createDirectories(dir);
    Path store = dir.resolve(commonName + "-" + System.nanoTime() + ".p12");
    Path log = dir.resolve("keytool.log");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "key",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + commonName,
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                new String(PASSWORD),
                "-keypass",
                new String(PASSWORD))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("keytool did not finish in " + KEYTOOL_TIMEOUT_SECONDS + " s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "keytool failed: " + Files.readString(log, StandardCharsets.UTF_8).strip());
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD);
    }
    List<X509Certificate> chain = new ArrayList<>();
    for (Certificate c : ks.getCertificateChain("key")) {
      chain.add((X509Certificate) c);
    }
    return new KeyAndChain((PrivateKey) ks.getKey("key", PASSWORD), List.copyOf(chain));
  }
}
