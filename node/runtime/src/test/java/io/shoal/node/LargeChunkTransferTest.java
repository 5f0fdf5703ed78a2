package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.FastCdc;
import io.shoal.chunkstore.Progress;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.PublishRequest;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotWriter;
import io.shoal.node.api.GetCall;
import io.shoal.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chunks of the chunker's limit (4 MiB) travel between real nodes and verify. */
class LargeChunkTransferTest {
  @TempDir Path tmp;
  private TestSwarm swarm;

  @BeforeEach
  void swarm() {
    swarm = new TestSwarm(tmp);
  }

  @AfterEach
  void stopAll() {
    swarm.close();
  }

  @Test
  @DisplayName("a snapshot cut into 4 MiB chunks travels to a fresh node, byte for byte")
  void fourMebibyteChunks_travelAndVerify() throws Exception {
    // Zeros never cut, so the middle gives chunks of exactly the maximum; random bytes around it.
    byte[] bytes = new byte[18 << 20];
    System.arraycopy(TestData.randomBytes(1, 5 << 20), 0, bytes, 0, 5 << 20);
    System.arraycopy(TestData.randomBytes(2, 3 << 20), 0, bytes, 15 << 20, 3 << 20);
    Path source = TestData.file(tmp.resolve("big.bin"), bytes);

    ShoalNode first = swarm.start(swarm.config("s0"));
    String publisher = first.id().toHex();
    first.close();
    List<Long> spans = publishWithLargestChunks(tmp.resolve("s0"), source, publisher);
    assertThat(spans).contains((long) FastCdc.LIMIT_MAX_BYTES);

    ShoalNode seeder = swarm.start(swarm.config("s0")); // announces what its store holds
    ShoalNode fresh = swarm.join("fresh", seeder);
    TestSwarm.awaitHolders(fresh, 1);
    // Bounded: a refused frame does not fail a fetch, it stalls it (requests go elsewhere).
    ShoalNode.Fetched got =
        CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return fresh.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                })
            .get(60, TimeUnit.SECONDS);
    assertThat(got.result()).isNotNull();
    Path out = tmp.resolve("out.bin");
    fresh.materialize(new GetCall("data", out.toString(), false, false));
    assertThat(Files.mismatch(source, out)).isEqualTo(-1);
  }

  /**
   * Publishes {@code source} as "data" into the store of {@code dataDir}; the data chunks' spans.
   */
  private static List<Long> publishWithLargestChunks(Path dataDir, Path source, String publisher)
      throws Exception {
    FastCdc largest = FastCdc.of(1 << 20, 2 << 20, FastCdc.LIMIT_MAX_BYTES);
    PublishRequest request =
        PublishRequest.of("data", 1, publisher, System.currentTimeMillis()).withChunker(largest);
    List<Long> spans = new ArrayList<>();
    try (ChunkStore store = ChunkStore.open(dataDir)) {
      var published = SnapshotWriter.publish(store, source, request, Progress.none());
      new SnapshotReader(store)
          .walk(
              published.root().data(),
              (id, height, offset, span) -> {
                if (height == 0) {
                  spans.add(span);
                }
                return true;
              });
    }
    return spans;
  }
}
