package io.shoal.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.shoal.gossip.CatalogSource;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.membership.CatalogRefusal;
import io.shoal.node.core.membership.CatalogSyncPage;
import io.shoal.node.core.membership.CatalogSyncRequest;
import io.shoal.node.core.membership.Follow;
import io.shoal.node.core.membership.LearnedWinner;
import io.shoal.node.core.membership.LocalCatalog;
import io.shoal.node.core.membership.SwarmDirectory;
import io.shoal.node.core.membership.Unannounced;
import io.shoal.node.core.membership.ViewCatalogs;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerTransport;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link ViewCatalogs} (the catalogs of views mode) on the {@link ViewDriver}'s loop: the
 * local catalog comes from the {@link CatalogAnnouncer}, broadcasts Plumtree delivers go in, and
 * after every input what it queued goes out ({@link ViewDriver#broadcast}); a neighbour the active
 * view gains is asked for its table ({@link CatalogSyncRequest}), page by page, and a neighbour's
 * request is answered with a {@link CatalogSyncPage}. Its directory is the one the transfer side
 * reads in views mode, and its follow outputs go to the same {@link GossipDriver.Outputs} as full
 * membership's, so a follower fetches a new winner either way.
 */
final class ViewCatalogDriver implements CatalogReader, Follower.Failures {
  private static final Logger log = LoggerFactory.getLogger(ViewCatalogDriver.class);

  private final NodeId self;
  private final ViewCatalogs catalogs;
  private final ViewDriver views;
  private final PeerTransport transport;
  private final GossipDriver.Outputs outputs;
  private final ScheduledExecutorService timers;
  private final Counter refused;
  private final long[] refusedSeen = new long[CatalogRefusal.values().length];
  private long droppedSeen;
  private volatile Consumer<NodeId> synced = id -> {};

  ViewCatalogDriver(
      NodeId self,
      ViewCatalogs catalogs,
      ViewDriver views,
      PeerTransport transport,
      NodeMetrics metrics,
      GossipDriver.Outputs outputs,
      ScheduledExecutorService timers) {
    this.self = self;
    this.catalogs = catalogs;
    this.views = views;
    this.transport = transport;
    this.outputs = outputs;
    this.timers = timers;
    this.refused =
        Counter.builder()
            .name("shoal_views_catalog_refused_total")
            .help(
                "Catalog payloads or sync pages refused in views mode, by reason: malformed,"
                    + " oversized, forged, unverifiable, stale, full, incomplete")
            .labelNames("reason")
            .register(metrics.registry());
    views.onDelivery(
        d -> {
          catalogs.onDelivery(d.payload(), System.nanoTime());
          drain();
        });
    views.onLinked(
        peer -> {
          send(peer, views.addressOf(peer), catalogs.syncFor(peer));
          drain();
        });
  }

  /**
   * The catalog driver of a node run with {@code --membership views}, fed by {@code announcer} and
   * connected to its peer listener; null when the node runs full membership ({@code views} null).
   * Failed follows are given again through {@code timers} (a loop the node stops).
   */
  static ViewCatalogDriver of(
      NodeConfig config,
      ClaimAuthority authority,
      ViewDriver views,
      NodeMetrics metrics,
      GossipDriver.Outputs outputs,
      PeerListener peers,
      CatalogAnnouncer announcer,
      ScheduledExecutorService timers) {
    if (views == null) {
      return null;
    }
    NodeId self = views.self();
    ViewCatalogs catalogs =
        new ViewCatalogs(
            self,
            views.address(),
            config.zone(),
            authority,
            config.follow(),
            ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()));
    ViewCatalogDriver d =
        new ViewCatalogDriver(self, catalogs, views, views.transport(), metrics, outputs, timers);
    peers.connect(d);
    announcer.alsoTo(d::onLocalCatalog);
    return d;
  }

  /** Who is up and who holds what, as the catalogs over the views say; read from any thread. */
  SwarmDirectory directory() {
    return catalogs.directory();
  }

  @Override
  public <T> T readCatalogs(Function<CatalogSource, T> read) {
    return views.call(() -> read.apply(catalogs.source()));
  }

  /** Tells {@code l} of each neighbour whose table this node has now read to its last page. */
  void onSynced(Consumer<NodeId> l) {
    synced = l;
  }

  /** What this node holds now ({@link CatalogAnnouncer}). */
  void onLocalCatalog(LocalCatalog catalog) {
    views.execute(
        () -> {
          catalogs.onLocalCatalog(catalog, System.nanoTime());
          drain();
        });
  }

  /**
   * The follow's fetch of {@code version} of {@code name} failed: its follow is given again when
   * the follow rule says ({@link io.shoal.node.core.membership.FollowRule#onFollowFailed}).
   */
  @Override
  public void onFollowFailed(String name, HeldVersion version) {
    views.execute(
        () -> {
          long now = System.nanoTime();
          long due = catalogs.followRule().onFollowFailed(name, version, now);
          if (due != Long.MAX_VALUE) {
            timers.schedule(
                () ->
                    views.execute(
                        () -> {
                          catalogs.followRule().onTimer(System.nanoTime());
                          drain();
                        }),
                due - now,
                TimeUnit.NANOSECONDS);
          }
        });
  }

  /** A peer's sync request or page (dropped, counted, when too many inputs wait). */
  void onMessage(NodeId from, Endpoint fromAddress, Object message) {
    if (message instanceof CatalogSyncRequest r) {
      views.offer(
          () -> {
            send(from, fromAddress, catalogs.onSyncRequest(from, r));
            drain();
          });
    } else if (message instanceof CatalogSyncPage p) {
      views.offer(
          () -> {
            CatalogSyncRequest next = catalogs.onSyncPage(from, p, System.nanoTime());
            if (next != null) {
              send(from, fromAddress, next);
            } else if (p.isLast()) {
              synced.accept(from); // after the table has it: a fetch then reads what it brought
            }
            drain();
          });
    }
  }

  /** This node leaves: its signed leave is broadcast, and this waits until it is handed over. */
  void leave() {
    try {
      views.call(
          () -> {
            catalogs.onLeave(System.nanoTime());
            drain();
            return null;
          });
    } catch (IllegalStateException e) { // the loop is gone or stuck: the node stops regardless
      log.warn("node {}: leaving the view catalogs failed: {}", self.shortHex(), e.getMessage());
    }
  }

  private void send(NodeId peer, Endpoint at, Object message) {
    if (at == null) {
      log.debug("node {}: no address for {}; sync not sent", self.shortHex(), peer.shortHex());
      return;
    }
    transport.send(at, message);
  }

  /** After every input, on the loop: broadcasts out, follow outputs on, refusals counted. */
  private void drain() {
    try {
      for (byte[] b; (b = catalogs.pollBroadcast()) != null; ) {
        views.broadcast(b);
      }
      for (NodeId id; (id = catalogs.pollGone()) != null; ) {
        outputs.onGone(id);
      }
      for (LearnedWinner w; (w = catalogs.pollWinner()) != null; ) {
        outputs.onWinner(w);
      }
      for (Follow f; (f = catalogs.pollFollow()) != null; ) {
        outputs.onFollow(f);
      }
      for (Unannounced u; (u = catalogs.pollUnannounced()) != null; ) {
        log.warn("not announcing {} over the views: {}", u.name(), u.reason());
      }
    } catch (RuntimeException e) {
      log.error("node {}: handing the view catalogs on failed (a bug)", self.shortHex(), e);
    }
    countRefusals();
  }

  @SuppressWarnings("EnumOrdinal") // an array indexed by the enum: the counts seen so far
  private void countRefusals() {
    for (CatalogRefusal reason : CatalogRefusal.values()) {
      long now = catalogs.refusals(reason);
      if (now > refusedSeen[reason.ordinal()]) {
        refused
            .labelValues(reason.name().toLowerCase(Locale.ROOT))
            .inc(now - refusedSeen[reason.ordinal()]);
        refusedSeen[reason.ordinal()] = now;
      }
    }
    long dropped = catalogs.droppedBroadcasts();
    if (dropped > droppedSeen) {
      log.warn("node {}: {} catalog broadcasts dropped", self.shortHex(), dropped - droppedSeen);
      droppedSeen = dropped;
    }
  }
}
