package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Retention's collection and fetches never overlap, in either order of arrival. */
class FetchGateTest {
  private final FetchGate gate = new FetchGate();
  private final AtomicInteger idle = new AtomicInteger();
  private final List<CompletableFuture<FetchResult>> started = new ArrayList<>();

  FetchGateTest() {
    gate.onIdle(idle::incrementAndGet);
  }

  private CompletableFuture<FetchResult> admit() {
    return gate.admit(
        () -> {
          CompletableFuture<FetchResult> f = new CompletableFuture<>();
          started.add(f);
          return f;
        });
  }

  @Test
  void collection_whileAFetchRuns_isRefused_andOfferedAgainWhenTheLastEnds() {
    CompletableFuture<FetchResult> a = admit();
    CompletableFuture<FetchResult> b = admit();

    assertThat(gate.tryBeginCollection()).isFalse();
    a.complete(null);
    assertThat(idle).as("one fetch still runs").hasValue(0);
    b.completeExceptionally(new IOException("a failed fetch ends too"));

    assertThat(idle).hasValue(1);
    assertThat(gate.running()).isZero();
    assertThat(gate.tryBeginCollection()).isTrue();
  }

  @Test
  void fetch_askedForDuringACollection_startsWhenItEnds_withItsResultPassedOn() {
    assertThat(gate.tryBeginCollection()).isTrue();

    CompletableFuture<FetchResult> waiting = admit();
    assertThat(started).as("not started under the collection").isEmpty();
    assertThat(gate.running()).isZero();

    gate.endCollection();
    assertThat(started).hasSize(1);
    assertThat(gate.running()).isOne();
    assertThat(gate.tryBeginCollection()).as("the started fetch runs").isFalse();
    started.get(0).complete(null);
    assertThat(waiting).isCompletedWithValue(null);
    assertThat(idle).hasValue(1);
  }

  @Test
  void collection_refusedByAnother_isOfferedAgainWhenThatOneEnds() {
    assertThat(gate.tryBeginCollection()).isTrue();
    assertThat(gate.tryBeginCollection()).isFalse();
    gate.endCollection();
    assertThat(idle).hasValue(1);
  }

  @Test
  void waitingFetches_areBounded() {
    assertThat(gate.tryBeginCollection()).isTrue();
    for (int i = 0; i < FetchGate.MAX_WAITING; i++) {
      assertThat(admit()).isNotDone();
    }
    assertThat(admit())
        .failsWithin(java.time.Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("wait for garbage collection");
    gate.endCollection();
    assertThat(started).hasSize(FetchGate.MAX_WAITING);
  }

  @Test
  void aStartThatThrows_doesNotLeaveAFetchCounted() {
    try {
      gate.admit(
          () -> {
            throw new IllegalStateException("refused");
          });
    } catch (IllegalStateException expected) {
      // the caller hears it
    }
    assertThat(gate.running()).isZero();
    assertThat(gate.tryBeginCollection()).isTrue();
  }
}
