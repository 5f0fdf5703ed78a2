package io.shoal.gossip;

import io.shoal.gossip.ClaimAuthority.ClaimKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admitted keys of the nodes whose claims this core checks: owners (from their own credential
 * entries), publishers (from the credential entries that carry them) and direct peers (from their
 * TLS session). A cache: what falls out of it is found again in the catalog's credential entries;
 * bounded by {@link #MAX_KEYS}, least recently used first out. Each key is kept with the credential
 * that admitted it, so that all can be checked again when the authority's view changes (a
 * revocation). Not thread-safe.
 */
final class KeyRing {
  /** Most keys kept. */
  static final int MAX_KEYS = 2 * GossipConfig.MAX_OWNERS;

  private record Admitted(Credential credential, ClaimKey key) {}

  private final ClaimAuthority authority;
  private final LinkedHashMap<NodeId, Admitted> keys =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, Admitted> eldest) {
          return size() > MAX_KEYS;
        }
      };

  KeyRing(ClaimAuthority authority) {
    this.authority = authority;
  }

  /** The key of {@code id} if it is on the ring. */
  ClaimKey get(NodeId id) {
    Admitted a = keys.get(id);
    return a == null ? null : a.key;
  }

  /** The credential that admitted {@code id}'s key, if on the ring. */
  Credential credential(NodeId id) {
    Admitted a = keys.get(id);
    return a == null ? null : a.credential;
  }

  /**
   * Admits {@code credential} for {@code subject} through the authority and keeps the key; returns
   * it, or null when the authority refuses the credential.
   */
  ClaimKey admit(NodeId subject, Credential credential) {
    Admitted known = keys.get(subject);
    if (known != null && known.credential.equals(credential)) {
      return known.key;
    }
    ClaimKey key = authority.admit(subject, credential.bytes());
    if (key != null) {
      keys.put(subject, new Admitted(credential, key));
    }
    return key;
  }

  /**
   * Checks every kept credential again (after the authority's view changed) and drops those now
   * refused; returns their ids.
   */
  List<NodeId> recheck() {
    List<NodeId> refused = new ArrayList<>();
    for (Map.Entry<NodeId, Admitted> e : new ArrayList<>(keys.entrySet())) {
      ClaimKey key = authority.admit(e.getKey(), e.getValue().credential.bytes());
      if (key == null) {
        keys.remove(e.getKey());
        refused.add(e.getKey());
      } else {
        keys.put(e.getKey(), new Admitted(e.getValue().credential, key));
      }
    }
    return refused;
  }
}
