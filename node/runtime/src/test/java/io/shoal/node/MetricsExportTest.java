package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real nodes, one fetching from the other through a throttled upload so that a fetch is running
 * while the test looks: the shipped alert rules and Grafana dashboard name only metrics a node
 * exports, and the fetch counters count what happened.
 */
class MetricsExportTest {
  /** Where docs/ops is from this module's directory, where the tests run. */
  static final Path OPS = Path.of("../../docs/ops");

  /** Metric names as the rules and dashboard write them (labels and functions never match). */
  static final Pattern METRIC = Pattern.compile("\\b(?:shoal|jvm|process)_[A-Za-z0-9_]+");

  /** The seeder's upload limit while "big" is fetched: past its 4 MiB burst, 4 s per MiB. */
  static final long THROTTLE_BYTES_PER_SECOND = 256 << 10;

  static final long BIG_BYTES = 24L << 20;

  @TempDir Path tmp;
  private TestSwarm swarm;
  private ShoalNode seeder;
  private ShoalNode fetcher;
  private final ExecutorService background = Executors.newSingleThreadExecutor();
  private Future<ShoalNode.Fetched> bigFetch;

  @BeforeEach
  void fetchSmallThenStartBig() throws Exception {
    swarm = new TestSwarm(tmp);
    seeder = swarm.start(swarm.config("seeder"));
    publish("small", TestData.randomFile(tmp.resolve("small.bin"), 1, 1 << 20));
    publish("big", TestData.randomFile(tmp.resolve("big.bin"), 2, BIG_BYTES));
    fetcher = swarm.join("fetcher", seeder);
    fetcher.fetch(SnapshotRef.parse("small"), Duration.ofSeconds(30));

    seeder.setUploadLimit(THROTTLE_BYTES_PER_SECOND);
    bigFetch =
        background.submit(() -> fetcher.fetch(SnapshotRef.parse("big"), Duration.ofSeconds(30)));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> series(fetcher.metrics().scrape(), "shoal_fetch_done_bytes", "big") > 0);
  }

  @AfterEach
  void stopAll() {
    background.shutdownNow();
    if (swarm != null) {
      swarm.close();
    }
  }

  @Test
  @DisplayName(
      "every metric named in docs/ops's alert rules and Grafana dashboard is in a fetching node's"
          + " /metrics")
  void opsFiles_nameOnlyMetricsANodeExports() throws Exception {
    Set<String> referenced = new TreeSet<>();
    referenced.addAll(metricNames(alertExprs(OPS.resolve("shoal-alerts.yml"))));
    referenced.addAll(metricNames(dashboardExprs(OPS.resolve("shoal-grafana.json"))));

    Set<String> exported = sampleNames(httpScrape(fetcher));

    assertThat(referenced).hasSizeGreaterThan(20);
    Set<String> missing = new TreeSet<>(referenced);
    missing.removeAll(exported);
    assertThat(missing).as("named in docs/ops but not exported").isEmpty();
  }

  @Test
  @DisplayName(
      "a running fetch shows its bytes, peers and last progress; the seeder shows its upload limit;"
          + " members, entries not held and the build are exported")
  void runningFetch_isVisiblePerSnapshot() throws Exception {
    String scrape = httpScrape(fetcher);
    double now = System.currentTimeMillis() / 1e3;

    assertThat(series(scrape, "shoal_fetch_total_bytes", "big")).isGreaterThanOrEqualTo(BIG_BYTES);
    assertThat(series(scrape, "shoal_fetch_done_bytes", "big")).isPositive();
    assertThat(series(scrape, "shoal_fetch_peers", "big")).isEqualTo(1);
    assertThat(series(scrape, "shoal_fetch_last_progress_timestamp_seconds", "big"))
        .isBetween(now - 30, now + 1);
    assertThat(series(scrape, "shoal_fetch_done_bytes", "small")).isNaN();
    assertThat(value(httpScrape(seeder), "shoal_transfer_upload_limit_bytes_per_second"))
        .isEqualTo(THROTTLE_BYTES_PER_SECOND);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> value(httpScrape(fetcher), "shoal_gossip_members{state=\"alive\"}") == 2);
    await() // "big" is the one winner the fetcher does not hold complete yet; the seeder holds both
        .atMost(Duration.ofSeconds(10))
        .until(() -> value(httpScrape(fetcher), "shoal_catalog_entries_not_held") == 1);
    assertThat(value(httpScrape(seeder), "shoal_catalog_entries_not_held")).isZero();
    assertThat(scrape).containsPattern("(?m)^shoal_build_info\\{commit=\"[^\"]+\",java_version=\"");
  }

  @Test
  @DisplayName(
      "after one completed and one failed fetch: started 2, completed 1, failed 1, and the"
          + " duration histogram holds one of each outcome")
  void completedAndFailedFetch_areCountedByOutcome() throws Exception {
    fetcher.close(); // fails the running fetch of "big": the node is stopping

    await().atMost(Duration.ofSeconds(10)).until(bigFetch::isDone);
    String scrape = fetcher.metrics().scrape();
    assertThat(value(scrape, "shoal_fetches_started_total")).isEqualTo(2);
    assertThat(value(scrape, "shoal_fetches_completed_total")).isEqualTo(1);
    assertThat(value(scrape, "shoal_fetches_failed_total")).isEqualTo(1);
    assertThat(value(scrape, "shoal_fetch_duration_seconds_count{outcome=\"completed\"}"))
        .isEqualTo(1);
    assertThat(value(scrape, "shoal_fetch_duration_seconds_count{outcome=\"failed\"}"))
        .isEqualTo(1);
    assertThat(scrape).doesNotContain("shoal_fetch_done_bytes{");
  }

  private void publish(String name, Path source) throws Exception {
    seeder.publish(new PublishCall(name, source.toAbsolutePath().toString(), null, null, null));
  }

  /** Every {@code expr:} value in a Prometheus rules file; each must be on one line. */
  static List<String> alertExprs(Path rules) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(rules)) {
      Matcher m = Pattern.compile("^\\s*expr:\\s*(.*)$").matcher(line);
      if (m.matches()) {
        assertThat(m.group(1)).as("an expr on one line in " + rules).doesNotMatch("[|>].*|");
        out.add(m.group(1));
      }
    }
    assertThat(out).as("exprs in " + rules).isNotEmpty();
    return out;
  }

  /** Every {@code "expr"} in a Grafana dashboard, at any depth. */
  static List<String> dashboardExprs(Path dashboard) throws Exception {
    List<String> out = new ArrayList<>();
    new ObjectMapper()
        .readTree(dashboard.toFile()).findValues("expr").stream()
            .map(JsonNode::asText)
            .forEach(out::add);
    assertThat(out).as("exprs in " + dashboard).isNotEmpty();
    return out;
  }

  static Set<String> metricNames(List<String> exprs) {
    Set<String> out = new TreeSet<>();
    for (String e : exprs) {
      METRIC.matcher(e).results().map(java.util.regex.MatchResult::group).forEach(out::add);
    }
    return out;
  }

  /**
   * The names of the samples in a scrape: a histogram's {@code _bucket}, {@code _count} and {@code
   * _sum}, a counter's {@code _total}, as a query names them.
   */
  static Set<String> sampleNames(String scrape) {
    Set<String> out = new TreeSet<>();
    Pattern.compile("(?m)^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]")
        .matcher(scrape)
        .results()
        .map(r -> r.group(1))
        .forEach(out::add);
    return out;
  }

  static String httpScrape(ShoalNode node) throws Exception {
    var address = node.httpAddress();
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + address.getPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  /** A per-fetch gauge's value for {@code snapshot} version 1, or NaN when it has no series. */
  static double series(String scrape, String gauge, String snapshot) {
    Matcher m =
        Pattern.compile(
                "(?m)^" + gauge + "\\{snapshot=\"" + snapshot + "\",version=\"1\"\\} (\\S+)$")
            .matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  static double value(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    assertThat(m.find()).as(series + " in\n" + scrape).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
