package io.shoal.node.core.membership;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.gossip.CatalogSource;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Credential;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import java.io.ByteArrayOutputStream;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * {@link ViewCatalogs}' table as a {@link CatalogSource}: the catalogs of the owners that are up
 * (this node's own included), as relayed and as this node trusts them. Read on the thread that owns
 * the table.
 */
final class TableSource implements CatalogSource {
  private final NodeId self;
  private final CatalogTable table;
  private final CatalogChecks checks;
  private final CredentialCache credentials;
  private final LongSupplier syncs;

  TableSource(
      NodeId self,
      CatalogTable table,
      CatalogChecks checks,
      CredentialCache credentials,
      LongSupplier syncs) {
    this.self = self;
    this.table = table;
    this.checks = checks;
    this.credentials = credentials;
    this.syncs = syncs;
  }

  @Override
  public SortedMap<NodeId, SortedMap<String, CatalogValue>> catalogs() {
    return values(checks::trusted);
  }

  @Override
  public SortedMap<NodeId, SortedMap<String, CatalogValue>> relayedCatalogs() {
    return values(UnaryOperator.identity());
  }

  private SortedMap<NodeId, SortedMap<String, CatalogValue>> values(
      UnaryOperator<CatalogValue> filter) {
    SortedMap<NodeId, SortedMap<String, CatalogValue>> out = new TreeMap<>();
    table
        .owners()
        .forEach(
            (id, owner) -> {
              if (!owner.up && !id.equals(self)) {
                return;
              }
              SortedMap<String, CatalogValue> names = new TreeMap<>();
              owner.names.forEach(
                  (name, entry) -> {
                    CatalogValue v = filter.apply(entry.value());
                    if (!v.versions().isEmpty()) {
                      names.put(name, v);
                    }
                  });
              if (!names.isEmpty()) {
                out.put(id, names);
              }
            });
    return out;
  }

  /** The digest of the signed parts held of {@code owner}'s announcements, name by name. */
  @Override
  public ChunkId catalogDigest(NodeId owner) {
    CatalogTable.Owner o = table.owner(owner);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    if (o != null) {
      o.names.values().forEach(e -> e.parts().forEach(all::writeBytes));
    }
    return HashAlgorithm.XXH128.hash(all.toByteArray());
  }

  @Override
  public boolean isTrusted(HeldVersion v) {
    return checks.isTrusted(v);
  }

  @Override
  public Credential credentialOf(NodeId subject) {
    return credentials.credentialOf(subject);
  }

  @Override
  public int reachableMembers() {
    int up = 1; // this node
    for (var e : table.owners().entrySet()) {
      if (e.getValue().up && !e.getKey().equals(self)) {
        up++;
      }
    }
    return up;
  }

  @Override
  public long syncReplies() {
    return syncs.getAsLong();
  }
}
