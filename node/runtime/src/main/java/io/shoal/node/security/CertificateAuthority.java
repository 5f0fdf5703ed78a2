package io.shoal.node.security;

import io.shoal.gossip.NodeId;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A cluster's certificate authority in a directory: its private key ({@value #KEY_FILE}, 0600), its
 * self-signed certificate ({@value NodeCredentials#CA_FILE}) and its revocation list ({@value
 * RevocationList#FILE}). It issues node credentials and revokes node ids; the cluster id is derived
 * from its public key. Nothing else needs to be kept: serial numbers are random.
 */
public final class CertificateAuthority {
  public static final String KEY_FILE = "ca.key";

  /** Validity of a CA certificate. */
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);

  /** Default validity of a node certificate. */
  public static final int DEFAULT_NODE_DAYS = 365;

  /** How far back a new certificate's notBefore is set, for clocks a little behind this one. */
  static final Duration BACKDATE = Duration.ofHours(1);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final PrivateKey key;
  private final X509Certificate certificate;

  private CertificateAuthority(Path dir, PrivateKey key, X509Certificate certificate) {
    this.dir = dir;
    this.key = key;
    this.certificate = certificate;
  }

  /**
   * Creates a new CA in {@code dir} (made if missing).
   *
   * @throws CredentialException when {@code dir} already holds a CA key: a CA is never replaced
   */
  public static CertificateAuthority init(Path dir, Instant now) throws IOException {
    Files.createDirectories(dir);
    Path keyFile = dir.resolve(KEY_FILE);
    if (Files.exists(keyFile)) {
      throw new CredentialException(
          dir + " already holds a CA (" + KEY_FILE + "); it is never replaced");
    }
    KeyPair pair = KeyScheme.generate();
    String clusterId = NodeIds.clusterId(pair.getPublic());
    X500Name name =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "shoal")
            .addRDN(BCStyle.CN, "shoal cluster " + clusterId)
            .build();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            serial(),
            Date.from(now.minus(BACKDATE)),
            Date.from(now.plus(CA_VALIDITY)),
            name,
            pair.getPublic());
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot encode CA extensions", e);
    }
    X509Certificate cert = sign(b, pair.getPrivate());
    try {
      Pem.writePrivateKey(keyFile, pair.getPrivate(), false);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw new CredentialException(dir + " already holds a CA (" + KEY_FILE + ")");
    }
    Pem.writeCertificate(dir.resolve(NodeCredentials.CA_FILE), cert);
    RevocationList.empty().write(dir.resolve(RevocationList.FILE));
    return new CertificateAuthority(dir, pair.getPrivate(), cert);
  }

  /**
   * Opens the CA in {@code dir}.
   *
   * @throws CredentialException when {@code dir} has no CA key or certificate, or they do not match
   */
  public static CertificateAuthority open(Path dir) throws CredentialException {
    if (!Files.isDirectory(dir)) {
      throw new CredentialException(
          "CA directory "
              + dir
              + " does not exist; make one with 'shoal cluster init "
              + dir
              + "'");
    }
    Path keyFile = dir.resolve(KEY_FILE);
    if (!Files.exists(keyFile)) {
      throw new CredentialException(
          dir
              + " has no "
              + KEY_FILE
              + ": not a CA directory (make one with 'shoal cluster init')");
    }
    PrivateKey key = Pem.readPrivateKey(keyFile);
    X509Certificate cert = Pem.readCertificate(dir.resolve(NodeCredentials.CA_FILE));
    byte[] probe = {1, 2, 3};
    if (!Signatures.verify(cert.getPublicKey(), probe, Signatures.sign(key, probe))) {
      throw new CredentialException(
          keyFile + " is not the key of " + dir.resolve(NodeCredentials.CA_FILE));
    }
    return new CertificateAuthority(dir, key, cert);
  }

  /**
   * What {@link #issue} did.
   *
   * @param nodeId the node id of the credential
   * @param notAfter end of the certificate's validity
   * @param renewed whether an existing key was kept (a renewal: same node id, new certificate)
   */
  public record Issued(NodeId nodeId, Instant notAfter, boolean renewed) {}

  /**
   * Writes a node credential into {@code nodeDir} (made if missing): a new key unless one is there
   * already (then it is kept, so a renewal keeps the node id), a certificate valid for {@code
   * validity} from {@code now}, the CA certificate and the current revocation list.
   */
  public Issued issue(Path nodeDir, Duration validity, Instant now) throws IOException {
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("validity must be positive: " + validity);
    }
    Files.createDirectories(nodeDir);
    Path keyFile = nodeDir.resolve(NodeCredentials.KEY_FILE);
    boolean renewed = Files.exists(keyFile);
    PublicKey publicKey;
    PrivateKey nodeKey = null;
    if (renewed) {
      PrivateKey existing = Pem.readPrivateKey(keyFile);
      publicKey = publicKeyOf(existing, nodeDir);
    } else {
      KeyPair pair = KeyScheme.generate();
      nodeKey = pair.getPrivate();
      publicKey = pair.getPublic();
    }
    NodeId id = NodeIds.of(publicKey);
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "shoal")
            .addRDN(BCStyle.CN, id.toHex())
            .build();
    Instant notAfter = now.plus(validity);
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            certificate,
            serial(),
            Date.from(now.minus(BACKDATE)),
            Date.from(notAfter),
            subject,
            publicKey);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot encode node certificate extensions", e);
    }
    X509Certificate cert = sign(b, key);
    if (nodeKey != null) {
      Pem.writePrivateKey(keyFile, nodeKey, false);
    }
    Pem.writeCertificate(nodeDir.resolve(NodeCredentials.CERT_FILE), cert);
    Pem.writeCertificate(nodeDir.resolve(NodeCredentials.CA_FILE), certificate);
    revocations().write(nodeDir.resolve(RevocationList.FILE));
    return new Issued(id, cert.getNotAfter().toInstant(), renewed);
  }

  /** The public key of a node's existing private key: read from the certificate beside it. */
  private static PublicKey publicKeyOf(PrivateKey existing, Path nodeDir)
      throws CredentialException {
    Path certFile = nodeDir.resolve(NodeCredentials.CERT_FILE);
    X509Certificate old = Pem.readCertificate(certFile);
    byte[] probe = {4, 5, 6};
    if (!Signatures.verify(old.getPublicKey(), probe, Signatures.sign(existing, probe))) {
      throw new CredentialException(
          nodeDir.resolve(NodeCredentials.KEY_FILE) + " is not the key of " + certFile);
    }
    return old.getPublicKey();
  }

  /** Adds {@code id} to the revocation list; returns whether it was new. */
  public boolean revoke(NodeId id) throws IOException {
    RevocationList now = revocations();
    if (now.isRevoked(id)) {
      return false;
    }
    now.with(id).write(dir.resolve(RevocationList.FILE));
    return true;
  }

  public RevocationList revocations() throws CredentialException {
    return RevocationList.read(dir.resolve(RevocationList.FILE));
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public String clusterId() {
    return NodeIds.clusterId(certificate.getPublicKey());
  }

  /** SHA-256 of the CA certificate, hex. */
  public String fingerprint() {
    try {
      return NodeIds.fingerprint(certificate.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("a parsed certificate does not encode", e);
    }
  }

  public Path dir() {
    return dir;
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(new JcaContentSignerBuilder(KeyScheme.SIGNATURE_ALGORITHM).build(signer)));
    } catch (OperatorCreationException | CertificateException e) {
      throw new IllegalStateException("cannot sign a certificate with a loaded key", e);
    }
  }
}
