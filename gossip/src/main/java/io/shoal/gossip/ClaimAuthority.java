package io.shoal.gossip;

/**
 * Signs this node's gossip claims and decides whose claims count: the one place where the gossip
 * core meets cryptography. Every claim that can harm its subject (a member's incarnation, an
 * owner's catalog entry, a publisher's snapshot) carries the signature of the one node that may
 * make it, and the core applies or relays it only after {@link ClaimKey#verify} said yes.
 *
 * <p>A credential is the bytes that bind a node id to its key within the cluster (an X.509
 * certificate signed by the cluster's CA, for the running node). Credentials travel in gossip, so
 * any node can check any claim, even one relayed from a node it never talked to.
 *
 * <p>Threading: called only on the core's thread. Implementations must not block or do I/O; they
 * may read the wall clock to check a credential's validity period, the one input a core does not
 * control (so a test or the simulator passes an authority that does not).
 */
public interface ClaimAuthority {
  /** Longest signature accepted from the wire, in bytes. */
  int MAX_SIGNATURE_BYTES = 128;

  /** Longest credential accepted from the wire, in bytes. */
  int MAX_CREDENTIAL_BYTES = 4096;

  /** Whether claims are signed and checked; false only for insecure nodes and the simulator. */
  boolean isSigning();

  /** This node's credential, as others need it to check its signatures; empty when not signing. */
  byte[] ownCredential();

  /** This node's signature over {@code payload}; empty when not signing. */
  byte[] sign(byte[] payload);

  /**
   * The key of {@code subject}, if {@code credential} is a credential of this cluster for exactly
   * that node id, valid now and not revoked; null otherwise.
   */
  ClaimKey admit(NodeId subject, byte[] credential);

  /**
   * Whether a snapshot with this root, signed by {@code publisher}, may become this node's winner:
   * the node's own policy (which publishers it trusts, which id algorithms it requires). A snapshot
   * it does not trust is still relayed in its holders' catalogs, never chosen or fetched here.
   */
  boolean trusts(NodeId publisher, io.shoal.chunkstore.ChunkId root);

  /**
   * Whether an unpin made by {@code pinner} may count here. A pin counts when {@link #trusts}
   * admits its pinner as the publisher of the pinned root: pinning a name is as restricted as
   * publishing it, since both decide what every follower holds. By default, every member.
   */
  default boolean trustsPinner(NodeId pinner) {
    return true;
  }

  /** A node's admitted public key. Immutable; safe to keep as long as the credential holds. */
  interface ClaimKey {
    /** Whether {@code signature} is this key's signature over {@code payload}. */
    boolean verify(byte[] payload, byte[] signature);
  }

  /**
   * No signatures at all: every claim counts. For insecure nodes (loopback, {@code --insecure}) and
   * for the simulator, which models the protocol rather than its cryptography.
   */
  static ClaimAuthority unsigned() {
    return Unsigned.INSTANCE;
  }
}
