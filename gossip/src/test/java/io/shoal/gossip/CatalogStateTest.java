package io.shoal.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.HashAlgorithm;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CatalogStateTest {
  static final NodeId A = new NodeId(0, 1);
  static final NodeId B = new NodeId(0, 2);

  static CatalogValue v(long version) {
    return new CatalogValue(
        List.of(
            new HeldVersion(
                version,
                HashAlgorithm.XXH128.hash(new byte[] {(byte) version}),
                true,
                1,
                A,
                Signature.NONE)));
  }

  static CatalogState state(NodeId self, long generation) {
    ClaimAuthority unsigned = ClaimAuthority.unsigned();
    return new CatalogState(self, generation, unsigned, new KeyRing(unsigned));
  }

  /** The one entry a local change made (unsigned maps carry no credentials). */
  static CatalogDelta only(List<OwnerEntry> entries) {
    assertThat(entries).hasSize(1);
    return (CatalogDelta) entries.get(0);
  }

  @Test
  void deltasFor_sendsOnlyWhatThePeerLacks_oldestFirst() {
    CatalogState a = state(A, 1);
    a.setLocal("x", v(1));
    a.setLocal("y", v(1));
    a.setLocal("x", v(2));
    CatalogState b = state(B, 1);
    List<OwnerEntry> first = a.deltasFor(b.digest(10, new SplittableRandom(1)), true, 1 << 20);
    assertThat(first).extracting(OwnerEntry::version).containsExactly(2L, 3L);
    first.forEach(d -> b.apply(d, true));
    assertThat(a.deltasFor(b.digest(10, new SplittableRandom(1)), true, 1 << 20)).isEmpty();
    assertThat(b.catalogDigest(A)).isEqualTo(a.catalogDigest(A));
  }

  @Test
  void truncatedBatch_isAValidPrefix() {
    CatalogState a = state(A, 1);
    for (int i = 0; i < 50; i++) {
      a.setLocal("n" + i, v(1));
    }
    CatalogState b = state(B, 1);
    int budget = 10 * a.deltasFor(List.of(), true, 1 << 20).get(0).estimatedBytes();
    for (int round = 0; round < 10; round++) {
      a.deltasFor(b.digest(10, new SplittableRandom(round)), true, budget)
          .forEach(d -> b.apply(d, true));
    }
    assertThat(b.view().get(A)).hasSize(50);
    assertThat(b.catalogDigest(A)).isEqualTo(a.catalogDigest(A));
  }

  @Test
  void outOfOrderPiggyback_doesNotClaimMissedVersions() {
    CatalogState a = state(A, 1);
    CatalogDelta d1 = only(a.setLocal("x", v(1)));
    CatalogDelta d2 = only(a.setLocal("y", v(1)));
    CatalogState b = state(B, 1);
    b.apply(d2, false);
    List<OwnerEntry> repair = a.deltasFor(b.digest(10, new SplittableRandom(1)), true, 1 << 20);
    assertThat(repair).contains(d1);
  }

  @Test
  void newerGeneration_replacesWhatWasKnownOfTheOwner() {
    CatalogState a1 = state(A, 1);
    a1.setLocal("old", v(1));
    CatalogState b = state(B, 1);
    a1.deltasFor(List.of(), true, 1 << 20).forEach(d -> b.apply(d, true));
    CatalogState a2 = state(A, 2);
    a2.setLocal("new", v(1));
    a2.deltasFor(b.digest(10, new SplittableRandom(1)), true, 1 << 20)
        .forEach(d -> b.apply(d, true));
    assertThat(b.view().get(A)).containsOnlyKeys("new");
  }

  @Test
  void removal_spreadsAsATombstone() {
    CatalogState a = state(A, 1);
    a.setLocal("x", v(1));
    CatalogState b = state(B, 1);
    a.deltasFor(List.of(), true, 1 << 20).forEach(d -> b.apply(d, true));
    a.setLocal("x", CatalogValue.removed());
    a.deltasFor(b.digest(10, new SplittableRandom(1)), true, 1 << 20)
        .forEach(d -> b.apply(d, true));
    assertThat(b.view().get(A)).isEmpty();
  }
}
