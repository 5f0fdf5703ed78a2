package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.CatalogState.Outcome;
import io.shoal.gossip.ClaimAuthority.ClaimKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The checks an entry of another owner's map passes before it counts: the owner's signature of the
 * entry, with the owner's key from its own credential entry (the first of each generation, so an
 * in-order sync always brings it first); a carried credential admitted by the authority; and the
 * publisher's signature of every held version and the pinner's of a carried pin, with their keys
 * from a credential that some owner carries or from a direct peer's TLS session ({@link KeyRing}).
 * Publications already checked are remembered, within a bound. Not thread-safe.
 */
final class EntryChecks {
  /** Most publications whose signature is remembered as checked. */
  static final int MAX_CHECKED_PUBLICATIONS = 8192;

  /** A publication whose signature was checked. */
  private record Checked(
      NodeId publisher, String name, long version, ChunkId root, Signature sig) {}

  private final ClaimAuthority authority;
  private final KeyRing keys;
  private final Map<NodeId, OwnerMap> owners;
  private final Set<Checked> checked =
      Collections.newSetFromMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Checked, Boolean> eldest) {
              return size() > MAX_CHECKED_PUBLICATIONS;
            }
          });

  /**
   * @param owners every owner's map, read here (never changed) to find carried credentials
   */
  EntryChecks(ClaimAuthority authority, KeyRing keys, Map<NodeId, OwnerMap> owners) {
    this.authority = authority;
    this.keys = keys;
    this.owners = owners;
  }

  /** Checks an entry's signatures; null when it counts, else why not. */
  Outcome check(OwnerEntry e) {
    if (!authority.isSigning()) {
      return null;
    }
    ClaimKey ownerKey;
    CredentialDelta own =
        e instanceof CredentialDelta c && c.subject().equals(c.owner()) ? c : null;
    if (own != null) {
      // The owner's own credential admits its key; an owner cannot withdraw its own.
      ownerKey = own.credential().isEmpty() ? null : keys.admit(own.owner(), own.credential());
      if (ownerKey == null) {
        return Outcome.FORGED;
      }
    } else {
      ownerKey = keyOf(e.owner());
      if (ownerKey == null) {
        return Outcome.UNVERIFIABLE;
      }
    }
    if (!ownerKey.verify(ClaimPayloads.of(e), e.signature().unsafeBytes())) {
      return Outcome.FORGED;
    }
    if (e instanceof CredentialDelta c && own == null && !c.credential().isEmpty()) {
      return keys.admit(c.subject(), c.credential()) == null ? Outcome.FORGED : null;
    }
    if (e instanceof CatalogDelta d) {
      for (HeldVersion v : d.value().versions()) {
        Outcome refused = checkPublication(d.name(), v);
        if (refused != null) {
          return refused;
        }
      }
      Pin pin = d.value().pin();
      if (pin != null) {
        return checkPin(d.name(), pin);
      }
    }
    return null;
  }

  /** Checks a pinner's signature of its pin or unpin of {@code name}; null when it counts. */
  private Outcome checkPin(String name, Pin pin) {
    ClaimKey key = keyOf(pin.pinner());
    if (key == null) {
      return Outcome.UNVERIFIABLE;
    }
    byte[] payload = ClaimPayloads.pin(name, pin.stamp(), pin.pinner(), pin.version(), pin.root());
    return key.verify(payload, pin.signature().unsafeBytes()) ? null : Outcome.FORGED;
  }

  /** Checks a publisher's signature of one held version; null when it counts. */
  Outcome checkPublication(String name, HeldVersion v) {
    if (!authority.isSigning()) {
      return null;
    }
    Checked c = new Checked(v.publisher(), name, v.version(), v.root(), v.publication());
    if (checked.contains(c)) {
      return null;
    }
    ClaimKey key = keyOf(v.publisher());
    if (key == null) {
      return Outcome.UNVERIFIABLE;
    }
    if (!key.verify(
        ClaimPayloads.publication(name, v.version(), v.root()), v.publication().unsafeBytes())) {
      return Outcome.FORGED;
    }
    checked.add(c);
    return null;
  }

  /**
   * The key of {@code id}: on the ring, or admitted again from a credential entry that an owner
   * carries; null when no credential for it is known.
   */
  ClaimKey keyOf(NodeId id) {
    ClaimKey key = keys.get(id);
    if (key != null) {
      return key;
    }
    Credential c = credentialOf(id);
    return c == null ? null : keys.admit(id, c);
  }

  /** A credential of {@code subject} that some map carries (its own map first), or null. */
  Credential credentialOf(NodeId subject) {
    Credential onRing = keys.credential(subject);
    if (onRing != null) {
      return onRing;
    }
    OwnerMap own = owners.get(subject);
    if (own != null) {
      CredentialDelta c = own.credentials.get(subject);
      if (c != null && !c.credential().isEmpty()) {
        return c.credential();
      }
    }
    for (OwnerMap o : owners.values()) {
      CredentialDelta c = o.credentials.get(subject);
      if (c != null && !c.credential().isEmpty()) {
        return c.credential();
      }
    }
    return null;
  }

  /** Forgets which publications were checked: the authority's view changed. */
  void forgetChecked() {
    checked.clear();
  }
}
