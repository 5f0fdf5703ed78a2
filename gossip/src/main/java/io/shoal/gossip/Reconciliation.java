package io.shoal.gossip;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Scuttlebutt's reconciliation over the owners' maps ({@link CatalogState}), as pure functions: the
 * digest a node sends (per owner, the version up to which it holds everything), and the entries a
 * peer lacks given its digest, oldest first per owner so that a batch cut by the byte budget is
 * still a valid prefix.
 */
final class Reconciliation {
  private Reconciliation() {}

  /**
   * The digest of {@code owners}: {@code self} first, then the other owners (all, or a random
   * sample of {@code max - 1} in id order past the cap).
   */
  static List<OwnerDigest> digest(
      NodeId self, Map<NodeId, OwnerMap> owners, int max, RandomGenerator random) {
    List<OwnerDigest> out = new ArrayList<>();
    OwnerMap me = owners.get(self);
    out.add(new OwnerDigest(self, me.generation, me.maxVersion));
    List<OwnerMap> others = new ArrayList<>(owners.size());
    for (OwnerMap o : owners.values()) {
      if (!o.id.equals(self)) {
        others.add(o);
      }
    }
    if (others.size() > max - 1) {
      for (int i = others.size() - 1; i > 0; i--) {
        Collections.swap(others, i, random.nextInt(i + 1));
      }
      others = others.subList(0, max - 1);
      others.sort(Comparator.comparing(o -> o.id));
    }
    for (OwnerMap o : others) {
      out.add(new OwnerDigest(o.id, o.generation, o.maxVersion));
    }
    return out;
  }

  /**
   * The entries of {@code owners} a peer lacks given its digest, oldest first per owner, within
   * {@code budgetBytes}. Owners the peer's complete digest does not list are sent whole.
   */
  static List<OwnerEntry> deltasFor(
      Collection<OwnerMap> owners,
      List<OwnerDigest> theirs,
      boolean theirsComplete,
      int budgetBytes) {
    Map<NodeId, OwnerDigest> known = new TreeMap<>();
    for (OwnerDigest d : theirs) {
      known.put(d.owner(), d);
    }
    List<OwnerEntry> out = new ArrayList<>();
    int bytes = 0;
    for (OwnerMap o : owners) {
      OwnerDigest their = known.get(o.id);
      long after;
      if (their == null) {
        if (!theirsComplete) {
          continue;
        }
        after = 0;
      } else if (their.generation() < o.generation) {
        after = 0;
      } else if (their.generation() > o.generation || their.maxVersion() >= o.maxVersion) {
        continue;
      } else {
        after = their.maxVersion();
      }
      for (OwnerEntry d : entriesAfter(o, after)) {
        int size = d.estimatedBytes();
        if (bytes + size > budgetBytes) {
          return out;
        }
        bytes += size;
        out.add(d);
      }
    }
    return out;
  }

  /** The owner's entries above version {@code after} (up to its max version), in version order. */
  private static List<OwnerEntry> entriesAfter(OwnerMap o, long after) {
    List<OwnerEntry> pending = new ArrayList<>();
    for (CredentialDelta c : o.credentials.values()) {
      if (c.version() > after && c.version() <= o.maxVersion) {
        pending.add(c);
      }
    }
    for (CatalogDelta d : o.entries.values()) {
      if (d.version() > after && d.version() <= o.maxVersion) {
        pending.add(d);
      }
    }
    pending.sort(Comparator.comparingLong(OwnerEntry::version));
    return pending;
  }
}
