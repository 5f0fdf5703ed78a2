package io.shoal.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PeerChoiceTest {
  static final NodeId SELF = new NodeId(7, 7);

  static List<PeerChoice.Candidate> holders(int complete, int partial) {
    List<PeerChoice.Candidate> out = new ArrayList<>();
    for (int i = 0; i < complete + partial; i++) {
      out.add(new PeerChoice.Candidate(new NodeId(1, i), i < complete));
    }
    return out;
  }

  @Test
  void fewHolders_areAllChosen() {
    List<PeerChoice.Candidate> h = holders(1, 5);
    assertThat(PeerChoice.choose(SELF, h, Set.of(), 32)).containsExactlyInAnyOrderElementsOf(h);
  }

  @Test
  void manyHolders_fillTheSlots_completeOnesUpToHalf() {
    List<PeerChoice.Candidate> chosen = PeerChoice.choose(SELF, holders(40, 1000), Set.of(), 32);
    assertThat(chosen).hasSize(32);
    assertThat(chosen.stream().filter(PeerChoice.Candidate::complete)).hasSize(16);
  }

  @Test
  void chosenOnes_countAgainstTheCap_andSelfIsNeverChosen() {
    List<PeerChoice.Candidate> h = new ArrayList<>(holders(0, 100));
    h.add(new PeerChoice.Candidate(SELF, false));
    Set<NodeId> chosen = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      chosen.add(new NodeId(1, i));
    }
    List<PeerChoice.Candidate> more = PeerChoice.choose(SELF, h, chosen, 32);
    assertThat(more).hasSize(2).noneMatch(c -> c.id().equals(SELF) || chosen.contains(c.id()));
  }

  @Test
  void differentFetchers_pickDifferentSubsets() {
    List<PeerChoice.Candidate> h = holders(0, 1000);
    List<PeerChoice.Candidate> a = PeerChoice.choose(new NodeId(2, 1), h, Set.of(), 32);
    List<PeerChoice.Candidate> b = PeerChoice.choose(new NodeId(2, 2), h, Set.of(), 32);
    List<PeerChoice.Candidate> common = new ArrayList<>(a);
    common.retainAll(b);
    assertThat(common.size()).isLessThan(8); // ~1 expected for two random 32-of-1000 draws
    assertThat(PeerChoice.choose(new NodeId(2, 1), h, Set.of(), 32)).isEqualTo(a);
  }

  @Test
  void swap_tradesTheWorstPartialPeerForABetterNewcomer_untilTheTopRanksAreChosen() {
    List<PeerChoice.Candidate> early = holders(1, 40);
    Set<NodeId> chosen = new HashSet<>();
    PeerChoice.choose(SELF, early, chosen, 32).forEach(c -> chosen.add(c.id()));
    List<PeerChoice.Candidate> all = new ArrayList<>(early);
    for (int i = 0; i < 2000; i++) {
      all.add(new PeerChoice.Candidate(new NodeId(3, i), false));
    }
    int swaps = 0;
    for (PeerChoice.Swap s; (s = PeerChoice.swap(SELF, all, chosen, 32)) != null; swaps++) {
      assertThat(chosen.remove(s.drop())).isTrue();
      assertThat(s.drop()).isNotEqualTo(new NodeId(1, 0)); // the complete holder stays
      chosen.add(s.add().id());
    }
    assertThat(swaps).isPositive();
    Set<NodeId> top = new HashSet<>();
    PeerChoice.choose(SELF, all, Set.of(), 32).forEach(c -> top.add(c.id()));
    assertThat(chosen).isEqualTo(top);
    assertThat(PeerChoice.swap(SELF, all, Set.of(new NodeId(1, 0)), 32)).isNull(); // not full
  }
}
