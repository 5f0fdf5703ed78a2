package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Waiting for chunks without a thread, and without leaving entries behind. */
class ChunkArrivalsTest {
  static final ChunkId MISSING = ChunkId.parse("00112233445566778899aabbccddeeff");
  static final ChunkId OTHER = ChunkId.parse("ffeeddccbbaa99887766554433221100");

  private final ChunkArrivals arrivals = new ChunkArrivals(ChunkStore.inMemory(1 << 20));

  @Test
  void arrival_committed_completesEveryWaiterAndDropsThem() {
    CompletableFuture<Void> a = arrivals.arrival(MISSING);
    CompletableFuture<Void> b = arrivals.arrival(MISSING);
    CompletableFuture<Void> c = arrivals.arrival(OTHER);

    arrivals.committed(List.of(MISSING));

    assertThat(a).isCompleted();
    assertThat(b).isCompleted();
    assertThat(c).isNotDone();
    assertThat(arrivals.waiting()).isEqualTo(1);
  }

  @Test
  void arrival_cancelledByAClosedStream_leavesNoEntry() {
    CompletableFuture<Void> gone = arrivals.arrival(MISSING);
    CompletableFuture<Void> still = arrivals.arrival(MISSING);

    gone.cancel(false);

    assertThat(arrivals.waiting()).isEqualTo(1);
    still.completeExceptionally(new java.util.concurrent.TimeoutException());
    assertThat(arrivals.waiting()).isZero();
    arrivals.committed(List.of(MISSING));
    assertThat(gone).isCancelled();
  }
}
