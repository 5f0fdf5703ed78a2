package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.node.net.NodeMetrics;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TransferMetricsTest {
  /** A small limit injected in place of {@link TransferMetrics#MAX_LABELLED_FETCHES}. */
  private static final int LIMIT = 2;

  private static final List<String> PER_FETCH =
      List.of(
          "shoal_fetch_done_bytes",
          "shoal_fetch_total_bytes",
          "shoal_fetch_peers",
          "shoal_fetch_last_progress_timestamp_seconds");

  private final NodeMetrics metrics = new NodeMetrics();
  private final Map<ChunkId, FetchJob> jobs = new ConcurrentHashMap<>();
  private final TransferMetrics transfer = new TransferMetrics(metrics, jobs, LIMIT);

  @Test
  void perFetchGauges_pastTheLimit_showOnlyTheNewestFetches() {
    FetchJob oldest = running("oldest", 100);
    running("middle", 200);
    running("newest", 300);

    String scrape = metrics.scrape();

    for (String gauge : PER_FETCH) {
      assertThat(snapshots(scrape, gauge)).as(gauge).containsExactly("middle", "newest");
    }
    jobs.remove(oldest.root());
    assertThat(snapshots(metrics.scrape(), "shoal_fetch_done_bytes"))
        .containsExactly("middle", "newest");
  }

  @Test
  void perFetchGauges_afterAFetchEnds_dropItsSeries() {
    FetchJob done = running("done", 100);
    running("running", 200);

    jobs.remove(done.root());

    for (String gauge : PER_FETCH) {
      assertThat(snapshots(metrics.scrape(), gauge)).as(gauge).containsExactly("running");
    }
  }

  @Test
  void perFetchGauges_readTheJob_bytesPeersAndLastProgress() {
    FetchJob job = running("data", 100);
    job.doneBytes = 3000;
    job.totalBytes = 8000;
    job.peers = 2;
    job.lastProgressNanos = System.nanoTime();

    String scrape = metrics.scrape();

    assertThat(value(scrape, "shoal_fetch_done_bytes", "data")).isEqualTo(3000);
    assertThat(value(scrape, "shoal_fetch_total_bytes", "data")).isEqualTo(8000);
    assertThat(value(scrape, "shoal_fetch_peers", "data")).isEqualTo(2);
    assertThat(value(scrape, "shoal_fetch_last_progress_timestamp_seconds", "data"))
        .isBetween(System.currentTimeMillis() / 1e3 - 60, System.currentTimeMillis() / 1e3 + 1);
  }

  @Test
  void started_thenOneCompletesAndOneFails_countsEachOutcomeOnce() {
    FetchJob ok = running("ok", 100);
    FetchJob bad = running("bad", 200);
    transfer.started(ok);
    transfer.started(bad);

    ok.done.complete(null);
    bad.done.completeExceptionally(new IOException("no progress"));

    String scrape = metrics.scrape();
    assertThat(plain(scrape, "shoal_fetches_started_total")).isEqualTo(2);
    assertThat(plain(scrape, "shoal_fetches_completed_total")).isEqualTo(1);
    assertThat(plain(scrape, "shoal_fetches_failed_total")).isEqualTo(1);
    assertThat(plain(scrape, "shoal_fetch_duration_seconds_count{outcome=\"completed\"}"))
        .isEqualTo(1);
    assertThat(plain(scrape, "shoal_fetch_duration_seconds_count{outcome=\"failed\"}"))
        .isEqualTo(1);
  }

  private FetchJob running(String name, long startNanos) {
    ChunkId root =
        HashAlgorithm.XXH128.hash(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    FetchJob job =
        new FetchJob(
            new CatalogEntry(name, 1, root, false, 0, 0),
            null,
            false,
            FileSelection.all(),
            startNanos,
            0);
    jobs.put(root, job);
    return job;
  }

  /** The snapshot labels of {@code gauge}'s series, in scrape order. */
  private static List<String> snapshots(String scrape, String gauge) {
    Matcher m =
        Pattern.compile("(?m)^" + gauge + "\\{snapshot=\"([^\"]+)\",version=\"1\"\\} ")
            .matcher(scrape);
    return m.results().map(r -> r.group(1)).sorted().toList();
  }

  private static double value(String scrape, String gauge, String snapshot) {
    return plain(scrape, gauge + "{snapshot=\"" + snapshot + "\",version=\"1\"}");
  }

  private static double plain(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    assertThat(m.find()).as(series + " in\n" + scrape).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
