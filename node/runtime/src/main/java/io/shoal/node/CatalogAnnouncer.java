package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.Provenance;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.ClaimPayloads;
import io.shoal.gossip.Credential;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Pin;
import io.shoal.gossip.Signature;
import io.shoal.node.core.membership.LocalCatalog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the gossip core what the store holds, name by name, each version with its publisher's
 * proof: a version fetched from the swarm keeps the proof it came with (and the publisher's
 * credential, which this node then carries in its own map); a version published here is signed by
 * this node the first time it is announced, and the proof is kept in the catalog. Versions whose
 * ids this node does not accept are not announced, since it will not serve them. The result goes to
 * the membership as a {@link LocalCatalog}, which announces it (names no longer held become
 * tombstones there).
 *
 * <p>Thread-safe: called from publishing, fetching and retention threads; the membership is only
 * touched on its own loop, through the driver.
 */
final class CatalogAnnouncer {
  private static final Logger log = LoggerFactory.getLogger(CatalogAnnouncer.class);

  private final NodeId self;
  private final ChunkStore store;
  private final ClaimAuthority authority;
  private final HashRequirement ids;
  private final GossipDriver driver;
  private volatile Consumer<LocalCatalog> alsoTo = c -> {};

  /**
   * @param authority signs this node's publications; its {@code sign} must be thread-safe
   */
  CatalogAnnouncer(
      NodeId self,
      ChunkStore store,
      ClaimAuthority authority,
      HashRequirement ids,
      GossipDriver driver) {
    this.self = self;
    this.store = store;
    this.authority = authority;
    this.ids = ids;
    this.driver = driver;
  }

  /**
   * Hands each local catalog to {@code l} too, after the membership (views mode: the catalogs that
   * travel over the views, {@link ViewCatalogDriver}); it must not block.
   */
  void alsoTo(Consumer<LocalCatalog> l) {
    alsoTo = l;
  }

  /** Announces the store's catalog as it is now. */
  synchronized void announce() {
    SortedMap<String, List<HeldVersion>> byName = new TreeMap<>();
    Map<NodeId, Credential> credentials = new LinkedHashMap<>();
    for (CatalogEntry e : store.catalog().entries()) {
      if (!ids.allows(e.root())) {
        continue;
      }
      CatalogEntry proven = withProof(e);
      Provenance p = proven.provenance();
      NodeId publisher = p.isSigned() ? NodeId.parse(p.publisher()) : self;
      if (p.isSigned() && !publisher.equals(self) && p.credential().length > 0) {
        credentials.put(publisher, Credential.of(p.credential()));
      }
      byName
          .computeIfAbsent(e.name(), n -> new ArrayList<>())
          .add(
              new HeldVersion(
                  e.version(),
                  e.root(),
                  e.complete(),
                  e.sizeBytes(),
                  publisher,
                  p.isSigned() ? Signature.of(p.signature()) : Signature.NONE));
    }
    LocalCatalog catalog = new LocalCatalog(byName, credentials);
    driver.execute(m -> m.onLocalCatalog(catalog, System.nanoTime()));
    alsoTo.accept(catalog);
  }

  /**
   * The entry with a publisher's proof: as it is when it has one or this node does not sign; else
   * signed by this node now (a local publication), and the proof kept in the catalog.
   */
  /** The pins in force, by name, as gossip says now (waits on the gossip loop). */
  Map<String, Pin> activePins() {
    return driver.query(GossipCore::activePins);
  }

  private CatalogEntry withProof(CatalogEntry e) {
    if (e.provenance().isSigned() || !authority.isSigning()) {
      return e;
    }
    byte[] signature = authority.sign(ClaimPayloads.publication(e.name(), e.version(), e.root()));
    CatalogEntry signed =
        e.withProvenance(Provenance.of(self.toHex(), signature, authority.ownCredential()));
    try {
      store.catalog().put(signed);
    } catch (IOException ex) {
      log.warn("keeping the signature of {} in the catalog failed: {}", e.label(), ex.getMessage());
    }
    return signed;
  }

  /**
   * The proof a fetched version keeps: its publisher's signature and credential {@code c} (null
   * when unknown), if signed.
   */
  static Provenance provenanceOf(HeldVersion v, Credential c) {
    if (v.publication().length() == 0) {
      return Provenance.NONE;
    }
    return Provenance.of(
        v.publisher().toHex(), v.publication().bytes(), c == null ? new byte[0] : c.bytes());
  }
}
