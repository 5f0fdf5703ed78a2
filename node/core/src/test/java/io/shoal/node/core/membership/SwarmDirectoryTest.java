package io.shoal.node.core.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Signature;
import io.shoal.node.core.PeerChoice.Candidate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SwarmDirectoryTest {
  static final NodeId SELF = id(0);
  static final ChunkId V1 = root("v1");
  static final ChunkId V2 = root("v2");

  final SwarmDirectory d = new SwarmDirectory(SELF);

  static NodeId id(int i) {
    return new NodeId(0x7000_0000_0000_0000L + i, i);
  }

  static Endpoint at(int i) {
    return new Endpoint("10.0.0." + (i + 1), 7420);
  }

  static ChunkId root(String seed) {
    return HashAlgorithm.XXH128.hash(seed.getBytes(StandardCharsets.UTF_8));
  }

  static HeldVersion held(long version, ChunkId root, boolean complete) {
    return new HeldVersion(version, root, complete, 100, id(9), Signature.NONE);
  }

  static CatalogValue value(HeldVersion... versions) {
    return new CatalogValue(List.of(versions));
  }

  @Test
  void of_liveHoldersInIdOrder_withoutThisNodeOrTheDead() {
    for (int i : new int[] {3, 1, 2}) {
      d.memberUp(id(i), at(i));
      d.catalogChanged(id(i), "orders", value(held(1, V1, i == 2)));
    }
    d.catalogChanged(SELF, "orders", value(held(1, V1, true)));
    d.catalogChanged(id(4), "orders", value(held(1, V1, true))); // never up

    assertThat(d.of(V1))
        .containsExactly(
            new Candidate(id(1), false), new Candidate(id(2), true), new Candidate(id(3), false));
    assertThat(d.holders(V1))
        .extracting(SwarmDirectory.Holder::address)
        .containsExactly(at(1), at(2), at(3));
    assertThat(d.of(V2)).isEmpty();
  }

  @Test
  void catalogChanged_newValue_replacesTheOwnersRootsOfThatNameOnly() {
    d.memberUp(id(1), at(1));
    d.catalogChanged(id(1), "orders", value(held(1, V1, true)));
    ChunkId other = root("users");
    d.catalogChanged(id(1), "users", value(held(1, other, true)));

    d.catalogChanged(id(1), "orders", value(held(2, V2, false)));

    assertThat(d.of(V1)).isEmpty();
    assertThat(d.of(V2)).containsExactly(new Candidate(id(1), false));
    assertThat(d.of(other)).containsExactly(new Candidate(id(1), true));
  }

  @Test
  void catalogChanged_tombstone_dropsTheHolder() {
    d.memberUp(id(1), at(1));
    d.catalogChanged(id(1), "orders", value(held(1, V1, true)));

    d.catalogChanged(id(1), "orders", CatalogValue.removed());

    assertThat(d.of(V1)).isEmpty();
  }

  @Test
  void memberGone_holderHidden_untilUpAgain() {
    d.memberUp(id(1), at(1));
    d.catalogChanged(id(1), "orders", value(held(1, V1, true)));

    assertThat(d.memberGone(id(1))).isTrue();
    assertThat(d.memberGone(id(1))).isFalse();
    assertThat(d.isUp(id(1))).isFalse();
    assertThat(d.address(id(1))).isNull();
    assertThat(d.of(V1)).isEmpty();

    d.memberUp(id(1), at(5));
    assertThat(d.holders(V1)).containsExactly(new SwarmDirectory.Holder(id(1), at(5), true));
  }

  @Test
  void memberForgotten_catalogDropped_soAReturnHoldsOnlyWhatGossipBringsAgain() {
    d.memberUp(id(1), at(1));
    d.catalogChanged(id(1), "orders", value(held(1, V1, true)));
    d.catalogChanged(id(1), "users", value(held(1, root("u"), false)));

    assertThat(d.memberForgotten(id(1))).isTrue();
    d.memberUp(id(1), at(1));
    d.catalogChanged(id(1), "orders", value(held(2, V2, true)));

    assertThat(d.of(V1)).isEmpty();
    assertThat(d.of(root("u"))).isEmpty();
    assertThat(d.arrivals(root("u"))).isEmpty();
    assertThat(d.of(V2)).containsExactly(new Candidate(id(1), true));
  }

  @Test
  void arrivals_partialHoldersOnceEach_inTheOrderTheyAppeared() {
    d.catalogChanged(id(3), "orders", value(held(1, V1, false)));
    d.catalogChanged(id(1), "orders", value(held(1, V1, true))); // complete: not an arrival
    d.catalogChanged(id(2), "orders", value(held(1, V1, false)));
    d.catalogChanged(id(3), "users", value(held(1, root("u"), true))); // another name
    d.catalogChanged(id(3), "orders", value(held(1, V1, false))); // the same holding again

    assertThat(d.arrivals(V1)).containsExactly(id(3), id(2));
  }

  @Test
  void arrivals_rootNoLongerHeld_forgotten() {
    d.catalogChanged(id(3), "orders", value(held(1, V1, false)));

    d.catalogChanged(id(3), "orders", value(held(2, V2, false)));

    assertThat(d.arrivals(V1)).isEmpty();
    assertThat(d.arrivals(V2)).containsExactly(id(3));
  }
}
