package io.shoal.node.core.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewPeersTest {
  static final NodeId SELF = new NodeId(0, 1);
  static final NodeId A = new NodeId(1, 1);
  static final NodeId B = new NodeId(2, 2);
  static final Endpoint AT_A = new Endpoint("10.0.0.1", 7420);
  static final Endpoint AT_B = new Endpoint("10.0.0.2", 7420);

  @Test
  void hint_isKeptUntilProofContradictsIt() {
    ViewPeers book = new ViewPeers(SELF);
    assertThat(book.onHint(A, AT_B)).isTrue();
    assertThat(book.addressOf(A)).isEqualTo(AT_B);
    // A dial to AT_B reached B, not A: the hint was wrong, and A is reported to the views.
    assertThat(book.onProved(B, AT_B)).containsExactly(A);
    assertThat(book.addressOf(A)).isNull();
    assertThat(book.addressOf(B)).isEqualTo(AT_B);
    assertThat(book.isProved(B)).isTrue();
  }

  @Test
  void hint_neverReplacesProof_andIsRefusedAtAnotherNodesProvedAddress() {
    ViewPeers book = new ViewPeers(SELF);
    book.onProved(A, AT_A);
    assertThat(book.onHint(A, AT_B)).isTrue();
    assertThat(book.addressOf(A)).isEqualTo(AT_A);
    assertThat(book.onHint(B, AT_A)).isFalse();
    assertThat(book.addressOf(B)).isNull();
  }

  @Test
  void selfIsNeverKept() {
    ViewPeers book = new ViewPeers(SELF);
    assertThat(book.onHint(SELF, AT_A)).isTrue();
    book.onProved(SELF, AT_A);
    assertThat(book.size()).isZero();
  }

  @Test
  void retainOnly_keepsTheViewsAndTheContactsBeingJoined() {
    ViewPeers book = new ViewPeers(SELF);
    book.onProved(A, AT_A);
    book.onHint(B, AT_B);
    book.onJoining(B);
    book.retainOnly(List.of());
    assertThat(book.addressOf(A)).isNull();
    assertThat(book.addressOf(B)).isEqualTo(AT_B);
    book.joined();
    book.retainOnly(List.of());
    assertThat(book.size()).isZero();
  }

  @Test
  void book_refusesNewEntriesPastItsBound() {
    ViewPeers book = new ViewPeers(SELF);
    for (int i = 0; i < ViewPeers.MAX_PEERS; i++) {
      assertThat(book.onHint(new NodeId(9, i), new Endpoint("10.1.0.1", 1 + i))).isTrue();
    }
    assertThat(book.onHint(A, AT_A)).isFalse();
    book.onProved(B, AT_B);
    assertThat(book.size()).isEqualTo(ViewPeers.MAX_PEERS);
    assertThat(book.addressOf(B)).isNull();
  }

  @Test
  void joins_areBounded() {
    ViewPeers book = new ViewPeers(SELF);
    for (int i = 0; i < ViewPeers.MAX_JOINS; i++) {
      assertThat(book.onJoining(new NodeId(7, i))).isTrue();
    }
    assertThat(book.onJoining(A)).isFalse();
  }
}
