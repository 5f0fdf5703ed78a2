package io.shoal.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReconciliationTest {
  static final NodeId SELF = new NodeId(0, 50);
  static final NodeId OTHER = new NodeId(0, 7);

  /** An owner map of {@code generation} holding entries "n1".."nK" at versions 1..K. */
  static OwnerMap owner(NodeId id, long generation, int entries) {
    OwnerMap o = new OwnerMap(id, generation);
    for (int v = 1; v <= entries; v++) {
      o.entries.put(
          "n" + v,
          new CatalogDelta(id, generation, v, "n" + v, CatalogStateTest.v(v), Signature.NONE));
    }
    o.maxVersion = entries;
    return o;
  }

  static List<Long> versionsSent(OwnerDigest theirs, boolean theirsComplete) {
    OwnerMap o = owner(OTHER, 3, 4);
    List<OwnerDigest> digest = theirs == null ? List.of() : List.of(theirs);
    return Reconciliation.deltasFor(List.of(o), digest, theirsComplete, 1 << 20).stream()
        .map(OwnerEntry::version)
        .toList();
  }

  @Test
  void deltasFor_byWhatThePeersDigestSays_sendsTheEntriesItLacks() {
    // The owner holds generation 3, versions 1 to 4.
    assertThat(versionsSent(new OwnerDigest(OTHER, 3, 2), true)).containsExactly(3L, 4L);
    assertThat(versionsSent(new OwnerDigest(OTHER, 3, 4), true)).isEmpty();
    assertThat(versionsSent(new OwnerDigest(OTHER, 3, 9), true)).isEmpty();
    assertThat(versionsSent(new OwnerDigest(OTHER, 2, 9), true)).containsExactly(1L, 2L, 3L, 4L);
    assertThat(versionsSent(new OwnerDigest(OTHER, 4, 0), true)).isEmpty();
    assertThat(versionsSent(null, true)).containsExactly(1L, 2L, 3L, 4L);
    assertThat(versionsSent(null, false)).isEmpty();
  }

  @Test
  void deltasFor_budgetCutsTheBatch_atAnEntryBoundary() {
    OwnerMap o = owner(OTHER, 1, 10);
    int one = o.entries.get("n1").estimatedBytes();
    List<OwnerEntry> sent = Reconciliation.deltasFor(List.of(o), List.of(), true, 3 * one + 1);
    assertThat(sent).extracting(OwnerEntry::version).containsExactly(1L, 2L, 3L);
  }

  @Test
  void digest_pastTheCap_listsSelfFirstThenASampleInIdOrder() {
    TreeMap<NodeId, OwnerMap> owners = new TreeMap<>();
    owners.put(SELF, owner(SELF, 1, 2));
    for (int i = 0; i < 20; i++) {
      NodeId id = new NodeId(0, 100 + i);
      owners.put(id, owner(id, 1, 1));
    }
    List<OwnerDigest> digest = Reconciliation.digest(SELF, owners, 5, new SplittableRandom(1));

    assertThat(digest).hasSize(5);
    assertThat(digest.get(0)).isEqualTo(new OwnerDigest(SELF, 1, 2));
    List<NodeId> sample = new ArrayList<>();
    digest.subList(1, 5).forEach(d -> sample.add(d.owner()));
    assertThat(sample).isSortedAccordingTo(Comparator.naturalOrder()).doesNotHaveDuplicates();
    assertThat(owners.keySet()).containsAll(sample).doesNotContainNull();
    assertThat(sample).doesNotContain(SELF);
  }

  @Test
  void digest_withinTheCap_listsEveryOwner() {
    TreeMap<NodeId, OwnerMap> owners = new TreeMap<>();
    owners.put(SELF, owner(SELF, 2, 0));
    owners.put(OTHER, owner(OTHER, 1, 3));
    assertThat(Reconciliation.digest(SELF, owners, 5, new SplittableRandom(1)))
        .containsExactly(new OwnerDigest(SELF, 2, 0), new OwnerDigest(OTHER, 1, 3));
  }
}
