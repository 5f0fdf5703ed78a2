package io.shoal.node.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.gossip.NodeId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final Duration YEAR = Duration.ofDays(365);

  @TempDir Path tmp;

  private CertificateAuthority ca(String name) throws Exception {
    return CertificateAuthority.init(tmp.resolve(name), NOW);
  }

  @Test
  void nodeId_isTheFirst16BytesOfSha256OverTheSubjectPublicKeyInfo() throws Exception {
    var pair = KeyScheme.generate();
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(pair.getPublic().getEncoded());
    NodeId id = NodeIds.of(pair.getPublic());
    assertThat(id.toHex()).isEqualTo(java.util.HexFormat.of().formatHex(Arrays.copyOf(digest, 16)));
  }

  @Test
  void issue_putsTheDerivedIdInTheCn_andLoadDerivesTheSameId() throws Exception {
    CertificateAuthority ca = ca("ca");
    Path node = tmp.resolve("n1");
    CertificateAuthority.Issued issued = ca.issue(node, YEAR, NOW);
    NodeCredentials c = NodeCredentials.load(node, NOW);
    assertThat(c.nodeId()).isEqualTo(issued.nodeId()).isEqualTo(NodeIds.of(c.certificate()));
    assertThat(c.certificate().getSubjectX500Principal().getName()).contains(c.nodeId().toHex());
    assertThat(c.clusterId()).isEqualTo(ca.clusterId());
    assertThat(issued.renewed()).isFalse();
    assertThat(Files.getPosixFilePermissions(node.resolve(NodeCredentials.KEY_FILE)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void issue_onADirWithAKey_renewsWithTheSameKeyAndId() throws Exception {
    CertificateAuthority ca = ca("ca");
    Path node = tmp.resolve("n1");
    NodeId first = ca.issue(node, YEAR, NOW).nodeId();
    byte[] oldCert = Files.readAllBytes(node.resolve(NodeCredentials.CERT_FILE));
    CertificateAuthority.Issued again = ca.issue(node, YEAR, NOW.plusSeconds(60));
    assertThat(again.renewed()).isTrue();
    assertThat(again.nodeId()).isEqualTo(first);
    assertThat(Files.readAllBytes(node.resolve(NodeCredentials.CERT_FILE))).isNotEqualTo(oldCert);
    assertThat(NodeCredentials.load(node, NOW).nodeId()).isEqualTo(first);
  }

  @Test
  void init_onAnExistingCa_isRefusedAndKeepsTheKey() throws Exception {
    ca("ca");
    byte[] key = Files.readAllBytes(tmp.resolve("ca").resolve(CertificateAuthority.KEY_FILE));
    assertThatThrownBy(() -> ca("ca"))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("already holds a CA");
    assertThat(Files.readAllBytes(tmp.resolve("ca").resolve(CertificateAuthority.KEY_FILE)))
        .isEqualTo(key);
  }

  @Test
  void open_aDirWithoutAKey_saysItIsNoCa() throws Exception {
    Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> CertificateAuthority.open(tmp.resolve("empty")))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("has no ca.key");
  }

  @Test
  void load_missingDir_namesItAndTheCommand() {
    assertThatThrownBy(() -> NodeCredentials.load(tmp.resolve("nope"), NOW))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("does not exist")
        .hasMessageContaining("shoal cluster issue");
  }

  @Test
  void load_missingCertificate_namesTheFile() throws Exception {
    Path node = tmp.resolve("n1");
    ca("ca").issue(node, YEAR, NOW);
    Files.delete(node.resolve(NodeCredentials.CERT_FILE));
    assertThatThrownBy(() -> NodeCredentials.load(node, NOW))
        .isInstanceOf(CredentialException.class)
        .hasMessage(node.resolve(NodeCredentials.CERT_FILE) + " is missing");
  }

  @Test
  void load_expiredCertificate_saysWhenAndHowToRenew() throws Exception {
    Path node = tmp.resolve("n1");
    ca("ca").issue(node, Duration.ofDays(1), NOW.minus(Duration.ofDays(10)));
    assertThatThrownBy(() -> NodeCredentials.load(node, NOW))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("expired on")
        .hasMessageContaining("renew it with 'shoal cluster issue");
  }

  @Test
  void load_certificateOfAnotherCa_isRefused() throws Exception {
    Path node = tmp.resolve("n1");
    ca("ca").issue(node, YEAR, NOW);
    Files.copy(
        ca("other").dir().resolve(NodeCredentials.CA_FILE),
        node.resolve(NodeCredentials.CA_FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> NodeCredentials.load(node, NOW))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("is not signed by the CA in");
  }

  @Test
  void load_keyOfAnotherNode_isRefused() throws Exception {
    CertificateAuthority ca = ca("ca");
    ca.issue(tmp.resolve("n1"), YEAR, NOW);
    ca.issue(tmp.resolve("n2"), YEAR, NOW);
    Files.copy(
        tmp.resolve("n2").resolve(NodeCredentials.KEY_FILE),
        tmp.resolve("n1").resolve(NodeCredentials.KEY_FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> NodeCredentials.load(tmp.resolve("n1"), NOW))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("is not the key of the certificate");
  }

  @Test
  void load_keyReadableByOthers_loadsWithAWarning() throws Exception {
    Path node = tmp.resolve("n1");
    ca("ca").issue(node, YEAR, NOW);
    Files.setPosixFilePermissions(
        node.resolve(NodeCredentials.KEY_FILE), PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(NodeCredentials.load(node, NOW).warnings())
        .singleElement()
        .asString()
        .contains("chmod 600");
  }

  @Test
  void load_revokedOwnId_isRefused() throws Exception {
    CertificateAuthority ca = ca("ca");
    Path node = tmp.resolve("n1");
    NodeId id = ca.issue(node, YEAR, NOW).nodeId();
    assertThat(ca.revoke(id)).isTrue();
    assertThat(ca.revoke(id)).isFalse();
    Files.copy(
        ca.dir().resolve(RevocationList.FILE),
        node.resolve(RevocationList.FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> NodeCredentials.load(node, NOW))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("revoked");
  }

  @Test
  void check_refusesOtherCaExpiredRevokedAndCa_withReasons() throws Exception {
    CertificateAuthority ca = ca("ca");
    ca.issue(tmp.resolve("n1"), YEAR, NOW);
    ca("other").issue(tmp.resolve("stranger"), YEAR, NOW);
    X509Certificate mine = NodeCredentials.load(tmp.resolve("n1"), NOW).certificate();
    X509Certificate stranger = NodeCredentials.load(tmp.resolve("stranger"), NOW).certificate();
    ClusterTrust trust = new ClusterTrust(ca.certificate(), RevocationList.empty());

    assertThat(trust.check(mine, NOW)).isEqualTo(NodeIds.of(mine));
    assertReason(trust, stranger, NOW, PeerRefusedException.Reason.OTHER_CA);
    assertReason(trust, mine, NOW.plus(YEAR).plusSeconds(1), PeerRefusedException.Reason.EXPIRED);
    assertReason(
        trust, mine, NOW.minus(Duration.ofDays(1)), PeerRefusedException.Reason.NOT_YET_VALID);
    assertReason(trust, ca.certificate(), NOW, PeerRefusedException.Reason.NOT_A_NODE);
    ClusterTrust revoking =
        new ClusterTrust(ca.certificate(), RevocationList.empty().with(NodeIds.of(mine)));
    assertReason(revoking, mine, NOW, PeerRefusedException.Reason.REVOKED);
  }

  @Test
  void admit_returnsTheKeyOnlyForTheCertificatesOwnId() throws Exception {
    CertificateAuthority ca = ca("ca");
    ca.issue(tmp.resolve("n1"), YEAR, NOW);
    NodeCredentials c = NodeCredentials.load(tmp.resolve("n1"), NOW);
    ClusterTrust trust = c.trust();
    assertThat(trust.admit(c.nodeId(), c.certificateDer(), NOW))
        .isEqualTo(c.certificate().getPublicKey());
    assertThat(trust.admit(new NodeId(1, 2), c.certificateDer(), NOW)).isNull();
    assertThat(trust.admit(c.nodeId(), new byte[] {1, 2, 3}, NOW)).isNull();
    byte[] payload = "catalog".getBytes(StandardCharsets.UTF_8);
    byte[] sig = c.sign(payload);
    assertThat(Signatures.verify(c.certificate().getPublicKey(), payload, sig)).isTrue();
    payload[0] ^= 1;
    assertThat(Signatures.verify(c.certificate().getPublicKey(), payload, sig)).isFalse();
  }

  @Test
  void revocationList_parseRefusesABadLine_withItsNumber() {
    assertThatThrownBy(() -> RevocationList.parse("# c\n\nnot-an-id\n", "revoked.txt"))
        .isInstanceOf(CredentialException.class)
        .hasMessageStartingWith("revoked.txt line 3:");
  }

  @Test
  void contentDigest_changesWhenAFileChanges() throws Exception {
    CertificateAuthority ca = ca("ca");
    Path node = tmp.resolve("n1");
    NodeId id = ca.issue(node, YEAR, NOW).nodeId();
    byte[] before = NodeCredentials.contentDigest(node);
    assertThat(NodeCredentials.contentDigest(node)).isEqualTo(before);
    ca.revoke(new NodeId(id.high(), id.low() + 1));
    ca.issue(node, YEAR, NOW);
    assertThat(NodeCredentials.contentDigest(node)).isNotEqualTo(before);
  }

  private static void assertReason(
      ClusterTrust trust, X509Certificate cert, Instant at, PeerRefusedException.Reason reason) {
    assertThatThrownBy(() -> trust.check(cert, at))
        .isInstanceOfSatisfying(
            PeerRefusedException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
