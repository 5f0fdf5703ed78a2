package io.shoal.node.security;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.NodeId;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Objects;

/**
 * The gossip authority of a node with credentials: it signs this node's claims with the node's key,
 * and admits a credential relayed in gossip exactly when the TLS handshake would admit the same
 * certificate ({@link ClusterTrust}: the cluster's CA, valid now, not revoked, for exactly the
 * claimed node id). Every publisher with an admitted credential is trusted here; {@code
 * --trust-publisher} narrows that on top.
 *
 * <p>Thread-safe: the credentials are replaced as a whole when the credential directory changes
 * ({@link #update}); {@code sign} may be called from any thread.
 */
public final class CredentialAuthority implements ClaimAuthority {
  private volatile NodeCredentials current;

  public CredentialAuthority(NodeCredentials credentials) {
    this.current = Objects.requireNonNull(credentials, "credentials");
  }

  /** Uses credentials loaded again (a renewed certificate, a new revocation list). */
  public void update(NodeCredentials credentials) {
    this.current = Objects.requireNonNull(credentials, "credentials");
  }

  @Override
  public boolean isSigning() {
    return true;
  }

  @Override
  public byte[] ownCredential() {
    return current.certificateDer();
  }

  @Override
  public byte[] sign(byte[] payload) {
    return current.sign(payload);
  }

  @Override
  public ClaimKey admit(NodeId subject, byte[] credential) {
    PublicKey key = current.trust().admit(subject, credential, Instant.now());
    return key == null ? null : (payload, signature) -> Signatures.verify(key, payload, signature);
  }

  @Override
  public boolean trusts(NodeId publisher, ChunkId root) {
    return true;
  }
}
