package io.shoal.node.net;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.DoubleSupplier;

/**
 * The node's metrics, named in Prometheus style with units, in a registry of its own (so several
 * nodes in one JVM, as in tests, do not collide), scraped together with the process's JVM and
 * process metrics ({@code jvm_*}, {@code process_*}: the Prometheus client's JVM instrumentation),
 * which are registered once per JVM because they describe the process, not a node. Thread-safe.
 */
public final class NodeMetrics {
  /**
   * The JVM and process metrics, shared by every node of the process: registered once, since some
   * of them (allocation counting) attach listeners to the JVM that would pile up per node.
   */
  private static final PrometheusRegistry PROCESS = processRegistry();

  private final PrometheusRegistry registry = new PrometheusRegistry();

  public NodeMetrics() {
    BuildInfo.register(registry);
  }

  private static PrometheusRegistry processRegistry() {
    PrometheusRegistry r = new PrometheusRegistry();
    JvmMetrics.builder().register(r);
    return r;
  }

  final Counter messagesSent =
      Counter.builder()
          .name("shoal_peer_messages_sent_total")
          .help("Control messages sent to peers, by type")
          .labelNames("type")
          .register(registry);
  final Counter messagesReceived =
      Counter.builder()
          .name("shoal_peer_messages_received_total")
          .help("Control messages received from peers, by type")
          .labelNames("type")
          .register(registry);
  final Counter bytesSent =
      Counter.builder()
          .name("shoal_peer_sent_bytes_total")
          .help("Frame bytes sent to peers")
          .register(registry);
  final Counter bytesReceived =
      Counter.builder()
          .name("shoal_peer_received_bytes_total")
          .help("Frame bytes received from peers")
          .register(registry);

  /**
   * Bytes restores wrote into their targets: {@code how="as_fetched"} as the data arrived, {@code
   * how="from_store"} read out of the store (held already, or brought by another fetch).
   */
  public final Counter restoreWrittenBytes =
      Counter.builder()
          .name("shoal_restore_written_bytes_total")
          .help("Bytes restores wrote into their targets, as the data arrived or out of the store")
          .labelNames("how")
          .register(registry);

  /**
   * Bytes of data that a restore left to its files and the store then kept from them, after the
   * restore returned (docs/architecture.md, "Keeping a restore's data after it returns").
   */
  public final Counter restoreKeptBytes =
      Counter.builder()
          .name("shoal_restore_kept_bytes_total")
          .help(
              "Bytes the store kept from restored files after their restores returned, read back"
                  + " and verified")
          .register(registry);

  final Counter malformedFrames =
      Counter.builder()
          .name("shoal_peer_malformed_frames_total")
          .help("Frames that did not decode; each closed its connection")
          .register(registry);
  final Counter handshakesRefused =
      Counter.builder()
          .name("shoal_peer_handshakes_refused_total")
          .help("Peer connections refused during the handshake, by reason")
          .labelNames("reason")
          .register(registry);
  final Counter messagesDropped =
      Counter.builder()
          .name("shoal_peer_messages_dropped_total")
          .help("Messages not sent, by reason (backpressure, unreachable, queue full)")
          .labelNames("reason")
          .register(registry);

  /** Gossip claims refused by the core, by reason ({@link io.shoal.gossip.ClaimRefusal}). */
  public final Counter claimsRefused =
      Counter.builder()
          .name("shoal_gossip_claims_refused_total")
          .help(
              "Gossip claims refused: forged (a signature or credential does not check out),"
                  + " unverifiable (its signer's credential is not known yet), bounds (a table is"
                  + " full)")
          .labelNames("reason")
          .register(registry);

  /**
   * Exceptions the gossip core threw: bugs, logged once each ({@link io.shoal.gossip.GossipPump}).
   */
  public final Counter gossipCoreFailures =
      Counter.builder()
          .name("shoal_gossip_core_failures_total")
          .help(
              "Exceptions the gossip core threw on an input: bugs; the node logged each and went on")
          .register(registry);

  final Counter httpRefused =
      Counter.builder()
          .name("shoal_http_refused_total")
          .help("HTTP requests refused before any handler ran, by reason")
          .labelNames("reason")
          .register(registry);

  final Counter httpStreamsCut =
      Counter.builder()
          .name("shoal_http_streams_idle_closed_total")
          .help("HTTP streams closed because they wrote nothing for the idle timeout")
          .register(registry);

  final Counter chunkBytesSent =
      Counter.builder()
          .name("shoal_transfer_sent_bytes_total")
          .help("Chunk frame bytes sent (compressed or not)")
          .register(registry);
  final Counter chunkBytesReceived =
      Counter.builder()
          .name("shoal_transfer_received_bytes_total")
          .help("Chunk frame bytes received")
          .register(registry);

  /** Chunk reply bytes received from peers of another zone (only with a zone set). */
  public final Counter crossZoneReceivedBytes =
      Counter.builder()
          .name("shoal_transfer_cross_zone_received_bytes_total")
          .help("Chunk frame bytes received from peers in another zone (0 without --zone)")
          .register(registry);

  public final Counter followFailures =
      Counter.builder()
          .name("shoal_follow_failures_total")
          .help(
              "Fetches of a followed name's new version that failed; each is tried again after 5 s,"
                  + " doubling to 60 s, while that version is still the newest")
          .register(registry);
  public final Counter badChunks =
      Counter.builder()
          .name("shoal_transfer_bad_chunks_total")
          .help("Chunks received that failed verification")
          .register(registry);
  public final Counter peersBanned =
      Counter.builder()
          .name("shoal_transfer_peers_banned_total")
          .help("Peers banned for sending bad chunks or a have bitmap over another chunk count")
          .register(registry);
  public final Counter chunksServed =
      Counter.builder()
          .name("shoal_transfer_chunks_served_total")
          .help("Chunks sent to peers")
          .register(registry);
  public final Counter chunksCompressed =
      Counter.builder()
          .name("shoal_transfer_chunks_compressed_total")
          .help("Chunks sent LZ4-compressed")
          .register(registry);

  public final Counter deltaRequests =
      Counter.builder()
          .name("shoal_transfer_delta_requests_total")
          .help("Chunk requests naming older chunks to send a delta against (each costs an encode)")
          .register(registry);

  public final Counter chunksDelta =
      Counter.builder()
          .name("shoal_transfer_chunks_delta_total")
          .help("Chunks served as a delta against older chunks the requester holds")
          .register(registry);

  /**
   * Tasks refused because a bounded queue was full, by queue: a loop's inbox of peer inputs, or a
   * worker pool (see docs/operations.md for what each refusal costs).
   */
  public final Counter tasksRefused =
      Counter.builder()
          .name("shoal_tasks_refused_total")
          .help("Tasks refused because a bounded queue was full, by queue")
          .labelNames("queue")
          .register(registry);

  /** How late a probe task ran on each event loop ({@code io.shoal.node.LoopProbe}). */
  public final Histogram loopDelay =
      Histogram.builder()
          .name("shoal_event_loop_delay_seconds")
          .help("Delay between when a probe task was due on an event loop and when it ran")
          .classicOnly()
          .classicUpperBounds(
              0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
          .labelNames("loop")
          .register(registry);

  /** Members this node's gossip suspected or declared dead, by state. */
  public final Counter memberSuspicions =
      Counter.builder()
          .name("shoal_gossip_member_suspicions_total")
          .help("Members this node suspected (state=suspect) or declared dead (state=dead)")
          .labelNames("state")
          .register(registry);

  /**
   * Seconds from sending a chunk request to its reply arriving: how long peers keep this node
   * waiting. Classic buckets only, so a plain scrape can read its quantiles.
   */
  public final Histogram requestSeconds =
      Histogram.builder()
          .name("shoal_transfer_request_seconds")
          .help("Seconds from sending a chunk request to its reply arriving")
          .classicOnly()
          .classicUpperBounds(
              0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
          .register(registry);

  public void chunkBytesSent(long bytes) {
    chunkBytesSent.inc(bytes);
  }

  public void chunkBytesReceived(long bytes) {
    chunkBytesReceived.inc(bytes);
  }

  /** Chunk frame bytes sent so far. */
  public double chunkSentBytes() {
    return chunkBytesSent.get();
  }

  /** Chunk frame bytes received so far. */
  public double chunkReceivedBytes() {
    return chunkBytesReceived.get();
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Registers a gauge read at scrape time. */
  public void gauge(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.getAsDouble()))
        .register(registry);
  }

  /** Counts a message sent, by type. */
  public void sent(Object message, int frameBytes) {
    messagesSent.labelValues(message.getClass().getSimpleName()).inc();
    bytesSent.inc(frameBytes);
  }

  public void received(Object message, int frameBytes) {
    messagesReceived.labelValues(message.getClass().getSimpleName()).inc();
    bytesReceived.inc(frameBytes);
  }

  public void dropped(String reason) {
    messagesDropped.labelValues(reason).inc();
  }

  /** Total bytes of frames sent, for benchmarks. */
  public double sentBytes() {
    return bytesSent.get();
  }

  /** The text exposition format: this node's metrics and the process's. */
  public String scrape() {
    MetricSnapshots.Builder all = MetricSnapshots.builder();
    registry.scrape().forEach(all::metricSnapshot);
    PROCESS.scrape().forEach(all::metricSnapshot);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, all.build());
    } catch (IOException e) {
      throw new IllegalStateException("writing metrics to memory failed", e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
