package io.shoal.node.core.membership;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.NodeId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A toy authority whose signatures tell signers apart: node X signs a payload with SHA-256 of X's
 * id and the payload, and X's credential is {@code "node:" + X} padded to {@code credentialBytes},
 * admitted for exactly X. Not secure (anyone can compute it), but a signature made by one node
 * never verifies as another's, and a changed payload never verifies.
 */
final class TestSigner implements ClaimAuthority {
  private final NodeId self;
  private final int credentialBytes;

  TestSigner(NodeId self, int credentialBytes) {
    this.self = self;
    this.credentialBytes = credentialBytes;
  }

  TestSigner(NodeId self) {
    this(self, 0);
  }

  static byte[] credential(NodeId id, int length) {
    byte[] head = ("node:" + id.toHex()).getBytes(StandardCharsets.UTF_8);
    return Arrays.copyOf(head, Math.max(head.length, length));
  }

  static byte[] signature(NodeId signer, byte[] payload) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(signer.toHex().getBytes(StandardCharsets.UTF_8));
      return d.digest(payload);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public boolean isSigning() {
    return true;
  }

  @Override
  public byte[] ownCredential() {
    return credential(self, credentialBytes);
  }

  @Override
  public byte[] sign(byte[] payload) {
    return signature(self, payload);
  }

  @Override
  public ClaimKey admit(NodeId subject, byte[] credential) {
    byte[] head = ("node:" + subject.toHex()).getBytes(StandardCharsets.UTF_8);
    boolean ok =
        credential.length >= head.length
            && Arrays.equals(Arrays.copyOf(credential, head.length), head);
    return ok ? (payload, sig) -> Arrays.equals(sig, signature(subject, payload)) : null;
  }

  @Override
  public boolean trusts(NodeId publisher, ChunkId root) {
    return true;
  }
}
