package io.shoal.node;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.NodeId;
import java.util.List;
import java.util.Set;

/**
 * This node's own rules about whose snapshots count, on top of the cluster's authority (which signs
 * and checks): the publishers it trusts ({@code --trust-publisher}; all with a valid credential
 * when none is named) and the id algorithms it accepts ({@code --require-sha256}). A snapshot these
 * rules refuse is relayed in its holders' catalogs, but never becomes this node's winner, so it is
 * never followed or fetched by name.
 */
final class TrustPolicy implements ClaimAuthority {
  private final ClaimAuthority cluster;
  private final Set<NodeId> publishers;
  private final HashRequirement ids;

  TrustPolicy(ClaimAuthority cluster, List<NodeId> trustedPublishers, HashRequirement ids) {
    this.cluster = cluster;
    this.publishers = Set.copyOf(trustedPublishers);
    this.ids = ids;
  }

  @Override
  public boolean isSigning() {
    return cluster.isSigning();
  }

  @Override
  public byte[] ownCredential() {
    return cluster.ownCredential();
  }

  @Override
  public byte[] sign(byte[] payload) {
    return cluster.sign(payload);
  }

  @Override
  public ClaimKey admit(NodeId subject, byte[] credential) {
    return cluster.admit(subject, credential);
  }

  @Override
  public boolean trusts(NodeId publisher, ChunkId root) {
    return ids.allows(root)
        && (publishers.isEmpty() || publishers.contains(publisher))
        && cluster.trusts(publisher, root);
  }

  @Override
  public boolean trustsPinner(NodeId pinner) {
    return (publishers.isEmpty() || publishers.contains(pinner)) && cluster.trustsPinner(pinner);
  }
}
