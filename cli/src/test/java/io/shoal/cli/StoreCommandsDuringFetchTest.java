package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.testing.TestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc and rm through a node that is fetching are refused, so that neither collects nor un-records
 * what the fetch is committing: one line, exit 1, the catalog and the fetch untouched.
 */
class StoreCommandsDuringFetchTest {
  private static final int SNAPSHOT_BYTES = 24 << 20;
  private static final long UPLOAD_BYTES_PER_SECOND = 2L << 20;

  @TempDir Path tmp;

  @Test
  void gcAndRm_whileTheNodeFetches_areRefusedInOneLine() throws Exception {
    Path seedDir = tmp.resolve("seed");
    Path fetcherDir = tmp.resolve("fetcher");
    try (ShoalNode seed = ShoalNode.start(NodeConfig.loopback(seedDir))) {
      Path src = TestData.randomFile(tmp.resolve("blob.bin"), 21, SNAPSHOT_BYTES);
      assertThat(
              CliTest.shoal("publish", "blob", src.toString(), "--data", seedDir.toString()).code())
          .isZero();
      seed.setUploadLimit(UPLOAD_BYTES_PER_SECOND);
      try (ShoalNode fetcher =
          ShoalNode.start(NodeConfig.loopback(fetcherDir).withSeeds(List.of(seed.peerAddress())))) {
        CompletableFuture<ShoalNode.Fetched> fetch =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return fetcher.fetch(SnapshotRef.parse("blob"), Duration.ofSeconds(60));
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
        // The fetch records blob@1 in the catalog once its metadata has arrived, a moment after
        // the transfer shows; rm must find it there, so wait for both.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    !fetcher.transfers().isEmpty()
                        && fetcher.store().catalog().versions("blob").size() == 1);

        CliTest.Run gc = CliTest.shoal("gc", "--data", fetcherDir.toString());
        assertThat(gc.code()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(gc.err().strip())
            .isEqualTo("shoal: node: 1 fetch(es) in progress; gc runs when none is");

        CliTest.Run rm = CliTest.shoal("rm", "blob", "--data", fetcherDir.toString());
        assertThat(rm.code()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(rm.err().strip())
            .isEqualTo("shoal: node: a fetch of blob@1 is in progress; rm runs when it ends");

        assertThat(fetch).as("the fetch goes on").isNotDone();
        assertThat(fetcher.store().catalog().versions("blob")).hasSize(1);
      }
    }
  }
}
