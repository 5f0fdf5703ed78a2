package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatWriter;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.gossip.ClaimAuthority.ClaimKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * Every owner's map, replicated with Scuttlebutt (van Renesse et al., "Efficient Reconciliation and
 * Flow Control for Anti-Entropy Protocols", 2008), and checked entry by entry.
 *
 * <p>Each owner stamps its changes with a rising version; a node's digest says, per owner, the
 * version up to which it has everything. Reconciliation sends, per owner, the entries above the
 * peer's version in ascending order, so a budget-truncated batch is still a valid prefix and the
 * receiver can raise its version to the last entry received. Entries that arrive out of order by
 * piggybacking are applied but do not raise the version. A generation, raised at every restart of
 * the owner, resets what others hold of it.
 *
 * <p>Every entry is signed by its owner, and every held version by its publisher. An entry counts
 * only once both check out: the owner's key comes from the owner's own credential entry (the first
 * of each generation, so an in-order sync always brings it first), a publisher's from a credential
 * entry that some owner carries, or from a direct peer's TLS session ({@link KeyRing}). A forged
 * entry, a forged generation or an entry in another owner's name is refused before it changes
 * anything, including the version counters. Owners, entries per owner and credentials per owner
 * have named bounds. The checks themselves are {@link EntryChecks}; the digest and the entries a
 * peer lacks are {@link Reconciliation}.
 *
 * <p>Not thread-safe.
 */
final class CatalogState {
  /** What applying an entry did. */
  enum Outcome {
    /** A value changed. */
    CHANGED,
    /** Accepted, nothing new (a version counter may have moved). */
    UNCHANGED,
    /** Older than what is held: ignored without a check. */
    STALE,
    /** A signature does not verify, or a credential is refused. */
    FORGED,
    /** A key needed to check it is not known yet; a later sync brings it. */
    UNVERIFIABLE,
    /** A bound would be exceeded. */
    FULL
  }

  private final NodeId self;
  private final ClaimAuthority authority;
  private final KeyRing keys;
  private final TreeMap<NodeId, OwnerMap> owners = new TreeMap<>();
  private final EntryChecks checks;

  CatalogState(NodeId self, long generation, ClaimAuthority authority, KeyRing keys) {
    this.self = self;
    this.authority = authority;
    this.keys = keys;
    this.checks = new EntryChecks(authority, keys, owners);
    owners.put(self, new OwnerMap(self, generation));
  }

  // ------------------------------------------------------------------ the local map

  /**
   * Records a change to the local catalog; returns the entries to spread (the credentials of new
   * publishers first, then the catalog entry), empty when the value is what the map holds.
   *
   * @throws IllegalStateException when a publisher's credential is not known here
   */
  List<OwnerEntry> setLocal(String name, CatalogValue value) {
    OwnerMap me = owners.get(self);
    CatalogDelta current = me.entries.get(name);
    if (current != null) {
      value = value.withPin(Pin.newest(current.value().pin(), value.pin()));
    }
    if ((current != null && current.value().equals(value))
        || (current == null && value.isEmpty())) {
      return List.of();
    }
    List<OwnerEntry> out = new ArrayList<>();
    if (authority.isSigning()) {
      for (NodeId signer : signers(value)) {
        if (!signer.equals(self) && !me.credentials.containsKey(signer)) {
          Credential c = credentialOf(signer);
          if (c == null) {
            throw new IllegalStateException(
                "no credential known for publisher " + signer + " of " + name);
          }
          out.add(putLocalCredential(me, signer, c));
        }
      }
    }
    long version = ++me.maxVersion;
    CatalogDelta d =
        new CatalogDelta(
            self,
            me.generation,
            version,
            name,
            value,
            sign(ClaimPayloads.catalogEntry(self, me.generation, version, name, value)));
    me.entries.put(name, d);
    out.add(d);
    out.addAll(withdrawUnusedCredentials(me));
    return out;
  }

  /**
   * Carries {@code pin} in the local entry of {@code name} (one with no versions when this node
   * holds none) when it is newer than the claim carried there; returns the entries to spread.
   *
   * @throws IllegalStateException when the pinner's credential is not known here
   */
  List<OwnerEntry> carryPin(String name, Pin pin) {
    CatalogDelta current = owners.get(self).entries.get(name);
    CatalogValue value = current == null ? CatalogValue.removed() : current.value();
    if (!pin.isNewerThan(value.pin())) {
      return List.of();
    }
    return setLocal(name, value.withPin(pin));
  }

  /** The nodes whose signatures a value carries: its publishers and its pinner. */
  private static Set<NodeId> signers(CatalogValue value) {
    Set<NodeId> out = new java.util.LinkedHashSet<>();
    for (HeldVersion v : value.versions()) {
      out.add(v.publisher());
    }
    if (value.pin() != null) {
      out.add(value.pin().pinner());
    }
    return out;
  }

  /**
   * Carries {@code subject}'s credential in the local map (this node's own, or a publisher's whose
   * snapshots it holds); returns the entry to spread, or null when already carried.
   *
   * @throws IllegalArgumentException when the authority refuses the credential
   */
  CredentialDelta setLocalCredential(NodeId subject, Credential credential) {
    if (keys.admit(subject, credential) == null) {
      throw new IllegalArgumentException("the credential given for " + subject + " is refused");
    }
    OwnerMap me = owners.get(self);
    CredentialDelta current = me.credentials.get(subject);
    if (current != null && current.credential().equals(credential)) {
      return null;
    }
    return putLocalCredential(me, subject, credential);
  }

  private CredentialDelta putLocalCredential(OwnerMap me, NodeId subject, Credential credential) {
    long version = ++me.maxVersion;
    CredentialDelta d =
        new CredentialDelta(
            self,
            me.generation,
            version,
            subject,
            credential,
            sign(ClaimPayloads.credentialEntry(self, me.generation, version, subject, credential)));
    me.credentials.put(subject, d);
    return d;
  }

  /** Withdraws the credentials of publishers no local entry references any more. */
  private List<OwnerEntry> withdrawUnusedCredentials(OwnerMap me) {
    Set<NodeId> used = new HashSet<>();
    used.add(self);
    for (CatalogDelta d : me.entries.values()) {
      used.addAll(signers(d.value()));
    }
    List<OwnerEntry> out = new ArrayList<>();
    for (CredentialDelta c : new ArrayList<>(me.credentials.values())) {
      if (!used.contains(c.subject()) && !c.credential().isEmpty()) {
        out.add(putLocalCredential(me, c.subject(), Credential.NONE));
      }
    }
    return out;
  }

  private Signature sign(byte[] payload) {
    return Signature.of(authority.sign(payload));
  }

  // ------------------------------------------------------------------ others' maps

  /**
   * Applies an entry from another owner once its signatures check out. A sync batch ({@code
   * inOrder}) also raises the owner's version.
   */
  Outcome apply(OwnerEntry e, boolean inOrder) {
    if (e.owner().equals(self)) {
      return Outcome.STALE;
    }
    OwnerMap o = owners.get(e.owner());
    boolean newGeneration = o == null || e.generation() > o.generation;
    if (!newGeneration && e.generation() < o.generation) {
      return Outcome.STALE;
    }
    OwnerEntry current = newGeneration ? null : o.current(e);
    boolean newer = current == null || current.version() < e.version();
    boolean raises = inOrder && (newGeneration || e.version() > o.maxVersion);
    if (!newer && !raises) {
      return Outcome.STALE;
    }
    if (current != null && current.equals(e)) {
      o.maxVersion = Math.max(o.maxVersion, e.version()); // checked when it first came
      return Outcome.UNCHANGED;
    }
    if ((o == null && owners.size() >= GossipConfig.MAX_OWNERS)
        || (o != null && !newGeneration && current == null && o.count(e) >= limit(e))) {
      return Outcome.FULL;
    }
    Outcome refused = checks.check(e);
    if (refused != null) {
      return refused;
    }
    if (newGeneration) {
      o = new OwnerMap(e.owner(), e.generation());
      owners.put(e.owner(), o);
    }
    if (raises) {
      o.maxVersion = Math.max(o.maxVersion, e.version());
    }
    if (!newer) {
      return Outcome.UNCHANGED;
    }
    if (e instanceof CatalogDelta d) {
      o.entries.put(d.name(), d);
      CatalogDelta was = (CatalogDelta) current;
      boolean changed = was == null ? !d.value().isEmpty() : !was.value().equals(d.value());
      return changed ? Outcome.CHANGED : Outcome.UNCHANGED;
    }
    CredentialDelta c = (CredentialDelta) e;
    o.credentials.put(c.subject(), c);
    CredentialDelta was = (CredentialDelta) current;
    return was == null || !was.credential().equals(c.credential())
        ? Outcome.CHANGED
        : Outcome.UNCHANGED;
  }

  private static int limit(OwnerEntry e) {
    return e instanceof CatalogDelta
        ? GossipConfig.MAX_NAMES_PER_OWNER
        : GossipConfig.MAX_CREDENTIALS_PER_OWNER;
  }

  /** Checks a publisher's signature of one held version; null when it counts. */
  Outcome checkPublication(String name, HeldVersion v) {
    return checks.checkPublication(name, v);
  }

  /** The key of {@code id}, from the ring or a carried credential; null when none is known. */
  ClaimKey keyOf(NodeId id) {
    return checks.keyOf(id);
  }

  /** A credential of {@code subject} that some map carries (its own map first), or null. */
  Credential credentialOf(NodeId subject) {
    return checks.credentialOf(subject);
  }

  /**
   * Checks every owner's own credential again after the authority's view changed (a revocation, a
   * new CA list) and forgets the owners now refused; returns them.
   */
  List<NodeId> recheck() {
    List<NodeId> refused = new ArrayList<>(keys.recheck());
    checks.forgetChecked();
    if (!authority.isSigning()) {
      return refused;
    }
    for (OwnerMap o : new ArrayList<>(owners.values())) {
      CredentialDelta own = o.credentials.get(o.id);
      if (o.id.equals(self)) {
        continue;
      }
      if (own == null || keys.admit(o.id, own.credential()) == null) {
        owners.remove(o.id);
        if (!refused.contains(o.id)) {
          refused.add(o.id);
        }
      }
    }
    return refused;
  }

  // ------------------------------------------------------------------ reconciliation

  /** The digest: self first, then other owners (all, or a random sample past the cap). */
  List<OwnerDigest> digest(int max, RandomGenerator random) {
    return Reconciliation.digest(self, owners, max, random);
  }

  boolean isDigestComplete(int max) {
    return owners.size() <= max;
  }

  /**
   * The entries a peer lacks given its digest, oldest first per owner, within {@code budgetBytes}.
   * Owners the peer's complete digest does not list are sent whole.
   */
  List<OwnerEntry> deltasFor(List<OwnerDigest> theirs, boolean theirsComplete, int budgetBytes) {
    return Reconciliation.deltasFor(owners.values(), theirs, theirsComplete, budgetBytes);
  }

  // ------------------------------------------------------------------ queries

  /**
   * Of every claim about {@code name}'s pin that some map carries (this node's own included), the
   * newest that {@code counts} admits; null when none.
   */
  Pin newestPin(String name, java.util.function.Predicate<Pin> counts) {
    Pin newest = null;
    for (OwnerMap o : owners.values()) {
      CatalogDelta d = o.entries.get(name);
      Pin p = d == null ? null : d.value().pin();
      if (p != null && counts.test(p)) {
        newest = Pin.newest(newest, p);
      }
    }
    return newest;
  }

  /** The names some map carries a pin claim for. */
  SortedSet<String> pinnedNames() {
    SortedSet<String> out = new TreeSet<>();
    for (OwnerMap o : owners.values()) {
      for (CatalogDelta d : o.entries.values()) {
        if (d.value().pin() != null) {
          out.add(d.name());
        }
      }
    }
    return out;
  }

  void remove(NodeId owner) {
    if (!owner.equals(self)) {
      owners.remove(owner);
    }
  }

  long generation(NodeId owner) {
    OwnerMap o = owners.get(owner);
    return o == null ? -1 : o.generation;
  }

  int ownerCount() {
    return owners.size();
  }

  /** Every owner's values, non-empty ones only, as relayed (before any local trust policy). */
  SortedMap<NodeId, SortedMap<String, CatalogValue>> view() {
    SortedMap<NodeId, SortedMap<String, CatalogValue>> out = new TreeMap<>();
    for (OwnerMap o : owners.values()) {
      SortedMap<String, CatalogValue> values = new TreeMap<>();
      for (CatalogDelta d : o.entries.values()) {
        if (!d.value().versions().isEmpty()) {
          values.put(d.name(), d.value());
        }
      }
      out.put(o.id, values);
    }
    return out;
  }

  /**
   * The Merkle root over an owner's catalog: equal digests mean equal catalogs. An xxh128 over the
   * sorted entries, each entry's encoding hashed first.
   */
  ChunkId catalogDigest(NodeId owner) {
    OwnerMap o = owners.get(owner);
    FormatWriter w = new FormatWriter(64);
    if (o != null) {
      for (CatalogDelta d : o.entries.values()) {
        if (d.value().isEmpty()) {
          continue;
        }
        FormatWriter e = new FormatWriter(64).utf8u16(d.name());
        for (HeldVersion v : d.value().versions()) {
          e.u64(v.version()).chunkId(v.root()).u8(v.complete() ? 1 : 0).u64(v.sizeBytes());
        }
        Pin p = d.value().pin();
        if (p != null) { // absent pins leave the digest of pinless catalogs as it was
          e.u64(p.stamp()).u64(p.pinner().high()).u64(p.pinner().low()).u64(p.version());
        }
        w.chunkId(HashAlgorithm.XXH128.hash(e.toByteArray()));
      }
    }
    return HashAlgorithm.XXH128.hash(w.toByteArray());
  }
}
