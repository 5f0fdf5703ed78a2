package io.shoal.gossip;

import java.util.Objects;

/**
 * A credential an owner carries in its map, so that every node can check the signatures it relays:
 * the owner's own (which admits the owner's key), and the credential of every publisher whose
 * snapshots the owner announces (so a version stays checkable after its publisher left). An empty
 * credential withdraws the entry.
 *
 * @param owner the node whose map this is
 * @param generation the owner's generation
 * @param version the owner's version counter at this change
 * @param subject whose credential it is
 * @param credential the credential, or {@link Credential#NONE} to withdraw it
 * @param signature the owner's signature over {@link ClaimPayloads#credentialEntry}
 */
public record CredentialDelta(
    NodeId owner,
    long generation,
    long version,
    NodeId subject,
    Credential credential,
    Signature signature)
    implements OwnerEntry {

  public CredentialDelta {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(signature, "signature");
    if (generation < 0 || version < 1) {
      throw new IllegalArgumentException("bad stamp " + generation + "/" + version);
    }
  }

  /** The owner and subject: a newer credential for both supersedes this one. */
  record Key(NodeId owner, NodeId subject) {}

  @Override
  public Object key() {
    return new Key(owner, subject);
  }

  @Override
  public int estimatedBytes() {
    return 56 + credential.length() + signature.length();
  }
}
