package io.shoal.node.security;

import io.shoal.gossip.NodeId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A node's credential directory, loaded and checked: its private key ({@value #KEY_FILE}, 0600),
 * its certificate ({@value #CERT_FILE}) signed by the cluster's CA ({@value #CA_FILE}), and the
 * CA's revocation list ({@value RevocationList#FILE}). The node id is derived from the
 * certificate's public key. Immutable; a changed directory is loaded again into a new instance.
 */
public final class NodeCredentials {
  public static final String KEY_FILE = "node.key";
  public static final String CERT_FILE = "node.crt";
  public static final String CA_FILE = "ca.crt";

  private static final byte[] PROBE =
      "shoal key matches certificate".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final Path dir;
  private final PrivateKey key;
  private final X509Certificate certificate;
  private final byte[] certificateDer;
  private final ClusterTrust trust;
  private final NodeId nodeId;
  private final List<String> warnings;

  private NodeCredentials(
      Path dir,
      PrivateKey key,
      X509Certificate certificate,
      ClusterTrust trust,
      List<String> warnings) {
    this.dir = dir;
    this.key = key;
    this.certificate = certificate;
    try {
      this.certificateDer = certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("a parsed certificate does not encode", e);
    }
    this.trust = trust;
    this.nodeId = NodeIds.of(certificate);
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Loads and checks {@code dir} at {@code now}.
   *
   * @throws CredentialException naming the file, when a file is missing or unreadable, the key does
   *     not match the certificate, the certificate is not the CA's, expired, not yet valid, or
   *     revoked
   */
  public static NodeCredentials load(Path dir, Instant now) throws CredentialException {
    Objects.requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      throw new CredentialException(
          "credential directory "
              + dir
              + (Files.exists(dir) ? " is not a directory" : " does not exist")
              + "; make one with 'shoal cluster issue CA_DIR --out "
              + dir
              + "'");
    }
    if (!Files.isReadable(dir)) {
      throw new CredentialException("credential directory " + dir + " cannot be read");
    }
    Path keyFile = dir.resolve(KEY_FILE);
    Path certFile = dir.resolve(CERT_FILE);
    Path caFile = dir.resolve(CA_FILE);
    X509Certificate cert = Pem.readCertificate(certFile);
    PrivateKey key = Pem.readPrivateKey(keyFile);
    X509Certificate ca = Pem.readCertificate(caFile);
    RevocationList revoked = RevocationList.read(dir.resolve(RevocationList.FILE));
    if (!Signatures.verify(cert.getPublicKey(), PROBE, Signatures.sign(key, PROBE))) {
      throw new CredentialException(keyFile + " is not the key of the certificate in " + certFile);
    }
    ClusterTrust trust = new ClusterTrust(ca, revoked);
    try {
      trust.check(cert, now);
    } catch (PeerRefusedException e) {
      throw new CredentialException(ownRefusal(e, certFile, caFile, dir));
    }
    List<String> warnings = new ArrayList<>();
    if (Pem.isReadableByOthers(keyFile)) {
      warnings.add(keyFile + " is readable by group or others; chmod 600 it");
    }
    return new NodeCredentials(dir, key, cert, trust, warnings);
  }

  private static String ownRefusal(PeerRefusedException e, Path cert, Path ca, Path dir) {
    return switch (e.reason()) {
      case OTHER_CA ->
          cert + " is not signed by the CA in " + ca + " (a certificate of another cluster?)";
      case EXPIRED, NOT_YET_VALID ->
          "the certificate in "
              + cert
              + ": "
              + e.getMessage()
              + "; renew it with 'shoal cluster issue CA_DIR --out "
              + dir
              + "'";
      case REVOKED -> "this node's certificate in " + cert + " is revoked: " + e.getMessage();
      default -> cert + ": " + e.getMessage();
    };
  }

  /**
   * A digest of the directory's files as they are now, cheap enough to compute every few seconds: a
   * change means the directory should be loaded again. Missing files count as empty.
   */
  public static byte[] contentDigest(Path dir) {
    MessageDigest d;
    try {
      d = MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
    for (String name : List.of(KEY_FILE, CERT_FILE, CA_FILE, RevocationList.FILE)) {
      Path f = dir.resolve(name);
      try {
        if (Files.size(f) <= Pem.MAX_FILE_BYTES * 64L) {
          d.update(Files.readAllBytes(f));
        }
      } catch (NoSuchFileException e) {
        d.update((byte) 0);
      } catch (IOException e) {
        d.update((byte) 1);
      }
      d.update((byte) '\n');
    }
    return d.digest();
  }

  public Path dir() {
    return dir;
  }

  /** The node id, derived from the certificate's public key. */
  public NodeId nodeId() {
    return nodeId;
  }

  /** The cluster id, derived from the CA's public key. */
  public String clusterId() {
    return trust.clusterId();
  }

  /** The trust decision for peers: this cluster's CA and revocation list. */
  public ClusterTrust trust() {
    return trust;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * The certificate's DER encoding (a copy): the credential others check this node's claims with.
   */
  public byte[] certificateDer() {
    return certificateDer.clone();
  }

  /** The private key, for the TLS context only; everything else signs through {@link #sign}. */
  public PrivateKey privateKey() {
    return key;
  }

  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /** This node's signature over {@code payload}, checked with {@link Signatures#verify}. */
  public byte[] sign(byte[] payload) {
    return Signatures.sign(key, payload);
  }

  /** Things worth one log line each, such as a private key readable by others. */
  public List<String> warnings() {
    return warnings;
  }

  @Override
  public String toString() {
    return "NodeCredentials[" + nodeId.shortHex() + " in " + dir + "]";
  }
}
