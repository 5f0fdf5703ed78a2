package io.shoal.node.core.membership;

import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.ClaimAuthority.ClaimKey;
import io.shoal.gossip.Credential;
import io.shoal.gossip.NodeId;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The credentials {@link ViewCatalogs} admitted, with their keys and the fragments that carry them
 * ({@link CatalogCodec#credential}), and the fragments of credentials still arriving. A credential
 * is self-certifying (the authority admits it for exactly its subject or not at all), so fragments
 * need no signature and anyone may relay them. Bounded: {@link #MAX_CREDENTIALS} admitted, {@link
 * #MAX_ASSEMBLING} in assembly, oldest out. Single-threaded.
 */
final class CredentialCache {
  /** Most admitted credentials kept: one per owner the table can hold. */
  static final int MAX_CREDENTIALS = CatalogTable.MAX_OWNERS;

  /** Most credentials in assembly at once; the oldest is dropped to make room. */
  static final int MAX_ASSEMBLING = 64;

  /** What a fragment did. */
  enum Outcome {
    /** Kept until the rest arrives, or already known. */
    PENDING,
    /** Completed a credential that the authority admitted. */
    ADMITTED,
    /** Completed a credential that the authority refused. */
    FORGED
  }

  /** An admitted credential. */
  record Known(Credential credential, ClaimKey key, List<byte[]> parts) {}

  private final ClaimAuthority authority;
  private final NavigableMap<NodeId, Known> known = new TreeMap<>();
  private final Map<NodeId, byte[][]> assembling =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, byte[][]> eldest) {
          return size() > MAX_ASSEMBLING;
        }
      };

  CredentialCache(ClaimAuthority authority) {
    this.authority = authority;
  }

  /** The key of {@code subject}, or null when no credential of it was admitted. */
  ClaimKey keyOf(NodeId subject) {
    Known k = known.get(subject);
    return k == null ? null : k.key();
  }

  /** The credential of {@code subject}, or null when none was admitted. */
  Credential credentialOf(NodeId subject) {
    Known k = known.get(subject);
    return k == null ? null : k.credential();
  }

  /** Every admitted credential, in subject order, for sync pages. */
  NavigableMap<NodeId, Known> known() {
    return known;
  }

  /**
   * Admits {@code credential} for {@code subject}; returns its fragments when it is new (to
   * broadcast), an empty list when it was known, or null when the authority refused it.
   */
  List<byte[]> put(NodeId subject, Credential credential) {
    Known k = known.get(subject);
    if (k != null && k.credential().equals(credential)) {
      return List.of();
    }
    byte[] bytes = credential.bytes();
    ClaimKey key = bytes.length == 0 ? null : authority.admit(subject, bytes);
    if (key == null) {
      return null;
    }
    List<byte[]> parts = CatalogCodec.credential(subject, bytes);
    keep(subject, new Known(credential, key, parts));
    return parts;
  }

  /** A fragment arrived. */
  Outcome onPart(CatalogPayload.CredentialPart p) {
    if (known.containsKey(p.subject())) {
      return Outcome.PENDING; // a key once admitted stays until evicted; a renewal is not handled
    }
    byte[][] parts = assembling.get(p.subject());
    if (parts == null || parts.length != p.count()) {
      parts = new byte[p.count()][];
      assembling.put(p.subject(), parts);
    }
    parts[p.index()] = p.fragment();
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    for (byte[] fragment : parts) {
      if (fragment == null) {
        return Outcome.PENDING;
      }
      whole.writeBytes(fragment);
    }
    assembling.remove(p.subject());
    byte[] bytes = whole.toByteArray();
    if (bytes.length > ClaimAuthority.MAX_CREDENTIAL_BYTES) {
      return Outcome.FORGED;
    }
    return put(p.subject(), Credential.of(bytes)) == null ? Outcome.FORGED : Outcome.ADMITTED;
  }

  private void keep(NodeId subject, Known k) {
    known.put(subject, k);
    if (known.size() > MAX_CREDENTIALS) {
      known.pollFirstEntry(); // beyond the bound: the lowest id goes, and comes back in a sync
    }
  }
}
