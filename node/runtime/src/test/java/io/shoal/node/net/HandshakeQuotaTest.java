package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HandshakeQuotaTest {
  @Test
  void tryAcquire_pastThePerAddressBound_refusesThatAddressOnly() {
    HandshakeQuota q = new HandshakeQuota(2, 5);
    assertThat(q.tryAcquire("a")).isNull();
    assertThat(q.tryAcquire("a")).isNull();
    assertThat(q.tryAcquire("a")).isEqualTo(HandshakeQuota.Refusal.PER_ADDRESS);
    assertThat(q.tryAcquire("b")).isNull();
    q.release("a");
    assertThat(q.tryAcquire("a")).isNull();
  }

  @Test
  void tryAcquire_pastTheTotalBound_refusesEveryone() {
    HandshakeQuota q = new HandshakeQuota(2, 3);
    assertThat(q.tryAcquire("a")).isNull();
    assertThat(q.tryAcquire("b")).isNull();
    assertThat(q.tryAcquire("c")).isNull();
    assertThat(q.tryAcquire("d")).isEqualTo(HandshakeQuota.Refusal.TOTAL);
    q.release("b");
    assertThat(q.tryAcquire("d")).isNull();
    assertThat(q.total()).isEqualTo(3);
  }

  @Test
  void release_ofAnAddressWithoutAPlace_failsFast() {
    assertThatThrownBy(() -> new HandshakeQuota(2, 3).release("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("x");
  }
}
