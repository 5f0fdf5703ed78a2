package io.shoal.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.node.core.TransferSession;
import io.shoal.node.net.NodeMetrics;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The transfer metrics: fetches started, completed and failed, with their durations by outcome; for
 * each running fetch (at most {@link #MAX_LABELLED_FETCHES}) its bytes done and total, the time it
 * last progressed and the peers serving it; the aggregate gauges; the throttle settings. The
 * per-fetch gauges are read from the running fetches at scrape time, so a fetch's series end when
 * it does. Thread-safe.
 */
final class TransferMetrics {
  /**
   * Running fetches given per-fetch gauges, at most: past it the newest are (older ones drop out).
   * Above {@link TransferSession#MAX_CONCURRENT_FETCHES}, so every running fetch has its series;
   * the bound holds the label sets down should that limit grow.
   */
  static final int MAX_LABELLED_FETCHES = 32;

  /** The {@code outcome} label of {@code shoal_fetch_duration_seconds}. */
  static final String COMPLETED = "completed";

  static final String FAILED = "failed";

  private final Counter started;
  private final Counter completed;
  private final Counter failed;
  private final Histogram duration;
  private final Map<ChunkId, FetchJob> jobs;
  private final int maxLabelled;
  private volatile long uploadLimitBytesPerSecond;

  /**
   * Registers the transfer metrics over {@code jobs}, the running fetches (read from any thread).
   */
  TransferMetrics(
      NodeMetrics metrics,
      Map<ChunkId, FetchJob> jobs,
      IntSupplier uploadQueued,
      CompressionPolicy compression,
      long uploadLimitBytesPerSecond,
      DownloadThrottle download) {
    this(metrics, jobs, MAX_LABELLED_FETCHES);
    this.uploadLimitBytesPerSecond = uploadLimitBytesPerSecond;
    registerAggregates(metrics, uploadQueued, compression, download);
  }

  /** The fetch metrics alone, with per-fetch gauges for at most {@code maxLabelled} fetches. */
  TransferMetrics(NodeMetrics metrics, Map<ChunkId, FetchJob> jobs, int maxLabelled) {
    this.jobs = jobs;
    this.maxLabelled = maxLabelled;
    PrometheusRegistry registry = metrics.registry();
    started = counter(registry, "shoal_fetches_started_total", "Fetches of a snapshot started");
    completed =
        counter(
            registry,
            "shoal_fetches_completed_total",
            "Fetches that completed: the snapshot is held (or written) and verified");
    failed =
        counter(
            registry,
            "shoal_fetches_failed_total",
            "Fetches given up: no peer, no progress, a write or the node stopping");
    duration =
        Histogram.builder()
            .name("shoal_fetch_duration_seconds")
            .help("Seconds from a fetch's start to its end, by outcome (completed, failed)")
            .classicOnly()
            .classicUpperBounds(
                0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600)
            .labelNames("outcome")
            .register(registry);
    duration.initLabelValues(COMPLETED);
    duration.initLabelValues(FAILED);
    perFetch(
        registry, "shoal_fetch_done_bytes", "Bytes a running fetch holds so far", j -> j.doneBytes);
    perFetch(
        registry,
        "shoal_fetch_total_bytes",
        "Bytes a running fetch holds when done (0 until its metadata is read)",
        j -> j.totalBytes);
    perFetch(registry, "shoal_fetch_peers", "Peers serving a running fetch now", j -> j.peers);
    perFetch(
        registry,
        "shoal_fetch_last_progress_timestamp_seconds",
        "Unix time a running fetch last gained bytes (its start until it does)",
        TransferMetrics::lastProgressSeconds);
  }

  /** Counts a new fetch, and its end (duration and outcome) when {@code job.done} completes. */
  void started(FetchJob job) {
    started.inc();
    job.done.whenComplete(
        (r, e) -> {
          (e == null ? completed : failed).inc();
          duration
              .labelValues(e == null ? COMPLETED : FAILED)
              .observe((System.nanoTime() - job.startNanos) / 1e9);
        });
  }

  /** The upload limit now in force (0: none). */
  void uploadLimit(long bytesPerSecond) {
    uploadLimitBytesPerSecond = bytesPerSecond;
  }

  /** The fetches given per-fetch gauges: the newest {@code max} of {@code running}. */
  static List<FetchJob> labelled(Collection<FetchJob> running, int max) {
    return running.stream()
        .sorted(Comparator.comparingLong((FetchJob j) -> j.startNanos).reversed())
        .limit(max)
        .toList();
  }

  private void registerAggregates(
      NodeMetrics metrics,
      IntSupplier uploadQueued,
      CompressionPolicy compression,
      DownloadThrottle download) {
    metrics.gauge("shoal_transfer_active_fetches", "Snapshots being fetched", jobs::size);
    metrics.gauge(
        "shoal_transfer_fetch_remaining_bytes",
        "Bytes the fetches in progress still lack",
        () -> jobs.values().stream().mapToLong(j -> j.totalBytes - j.doneBytes).sum());
    metrics.gauge(
        "shoal_transfer_upload_queued_requests",
        "Chunk requests from peers waiting to be served",
        uploadQueued::getAsInt);
    metrics.gauge(
        "shoal_transfer_compression_ratio",
        "Compressed to raw size of recently tried chunks (moving average)",
        compression::ratio);
    metrics.gauge(
        "shoal_transfer_upload_limit_bytes_per_second",
        "Limit on chunk bytes sent to peers, per second (0: none)",
        () -> uploadLimitBytesPerSecond);
    metrics.gauge(
        "shoal_transfer_download_limit_bytes_per_second",
        "Limit on chunk bytes received from peers, per second, node-wide (0: none)",
        download::rateBytesPerSecond);
  }

  private void perFetch(
      PrometheusRegistry registry, String name, String help, ToDoubleFunction<FetchJob> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("snapshot", "version")
        .callback(
            cb -> {
              for (FetchJob j : labelled(jobs.values(), maxLabelled)) {
                cb.call(value.applyAsDouble(j), j.target.name(), Long.toString(j.target.version()));
              }
            })
        .register(registry);
  }

  /** When {@code j} last progressed, as Unix seconds: the wall clock less its age. */
  private static double lastProgressSeconds(FetchJob j) {
    return System.currentTimeMillis() / 1e3 - (System.nanoTime() - j.lastProgressNanos) / 1e9;
  }

  private static Counter counter(PrometheusRegistry registry, String name, String help) {
    return Counter.builder().name(name).help(help).register(registry);
  }
}
