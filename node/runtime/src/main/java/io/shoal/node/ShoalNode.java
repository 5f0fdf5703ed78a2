package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.CatalogListing;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.chunkstore.snapshot.Publication;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.NodeId;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.PublishCall;
import io.shoal.node.api.Written;
import io.shoal.node.core.membership.SwarmDirectory;
import io.shoal.node.net.HttpApi;
import io.shoal.node.net.HttpExposure;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerAuthenticated;
import io.shoal.node.net.PeerTransport;
import io.shoal.node.net.TransportFilter;
import io.shoal.node.security.CredentialAuthority;
import io.shoal.node.security.CredentialsListener;
import io.shoal.node.security.NodeCredentials;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: owns its data directory, serves peers and the HTTP API, runs membership and
 * transfers. Start with {@link #start}; {@link #close()} leaves the cluster gracefully.
 *
 * <p>The parts: {@link LocalIdentity} (the node id), {@link NodeThreads} (every thread, and the
 * order they stop in), {@link PeerTransport} with its {@link PeerListener}, the {@link
 * GossipDriver} running the membership, {@link CatalogAnnouncer} (announcing), {@link Follower}
 * (following), {@link TransferService}, {@link SnapshotResolver} (which snapshot a reference means,
 * and fetching it), and {@link NodeRoutes} (the HTTP API). When secured, a {@link
 * CredentialWatcher} re-reads the credential directory. All are stopped by close.
 */
public final class ShoalNode implements AutoCloseable {
  static final long LEAVE_DRAIN_MILLIS = 1000;

  private static final Logger log = LoggerFactory.getLogger(ShoalNode.class);

  private final NodeConfig config;
  private final InetSocketAddress httpBindAddress;
  private volatile boolean ready;
  private final ChunkStore store;
  private final SnapshotReader reader;
  private final NodeMetrics metrics = new NodeMetrics();
  private final PeerListener peers = new PeerListener();
  private NodeId nodeId;
  private long generation;
  private NodeThreads threads;
  private PeerTransport transport;
  private GossipDriver driver;
  private ViewDriver views; // null unless --membership views
  private ViewCatalogDriver viewCatalogs; // null unless --membership views
  private MembershipOutputs membershipOutputs;
  private CatalogAnnouncer announcer;
  private HttpApi http;
  private ChunkSink sink;
  private TransferService transfers;
  private SnapshotResolver resolver;
  LocalSnapshots local; // package-private: NodeRoutes serves gc from it
  private Endpoint peerAddress;
  private InetSocketAddress httpAddress;
  private volatile boolean closed;
  private CredentialWatcher credentialWatcher;
  private Scrubber scrubber;
  private LoopProbe loopProbe;
  private NodeLogs logs;
  private LogReplication replication;

  private ShoalNode(NodeConfig config, ChunkStore store, InetSocketAddress httpBindAddress) {
    this.config = config;
    this.store = store;
    this.httpBindAddress = httpBindAddress;
    this.reader = new SnapshotReader(store);
  }

  /**
   * Starts a node; refuses a data directory another process owns, and an HTTP API beyond loopback
   * without {@code httpExpose} and {@code httpTls} (before touching anything).
   */
  public static ShoalNode start(NodeConfig config) throws IOException {
    InetSocketAddress httpAt =
        HttpExposure.resolve(
            config.httpHost(), config.httpPort(), config.httpExpose(), config.httpTls() != null);
    ChunkStore store = ChunkStore.open(config.dataDir(), config.store());
    ShoalNode node = new ShoalNode(config, store, httpAt);
    try {
      node.boot();
      return node;
    } catch (IOException | RuntimeException e) {
      node.shutdown(false);
      throw e;
    }
  }

  /** Brings the parts up in dependency order; the node joins the cluster last. */
  private void boot() throws IOException {
    NodeCredentials credentials = config.credentials();
    nodeId = LocalIdentity.resolve(config);
    generation = DataDirFiles.nextGeneration(config.dataDir());
    threads = NodeThreads.start();
    loopProbe = LoopProbe.start(threads.loops, metrics);
    StoreGauges.register(metrics, store);
    logs = NodeLogs.open(config.dataDir(), config.logs(), metrics, nodeId.toHex());
    bindPeers(credentials);
    startMembership(credentials);
    startTransfers();
    announcer.announce();
    replication.start();
    peers.startTails();
    serveHttp();
    ready = true; // only now can the CLI find the node through its data directory
    StartupLog.up(config, nodeId, peerAddress, httpAddress, clusterId(), transport);
    // In views mode the SWIM membership knows only this node: the views carry the cluster.
    List<Endpoint> seeds = views == null ? config.seeds() : List.of();
    driver.execute(m -> m.onJoin(seeds, System.nanoTime()));
    if (views != null) {
      views.start();
    }
  }

  /** The peer port, and the watcher that reloads its credentials. */
  private void bindPeers(NodeCredentials credentials) throws IOException {
    transport = new PeerTransport(clusterId(), nodeId, credentials, threads.loops, metrics, peers);
    peerAddress = transport.bind(config.listenHost(), config.listenPort(), config.advertise());
    if (credentials != null) {
      credentialWatcher = new CredentialWatcher(credentials, transport);
      metrics.gauge(
          "shoal_credential_expiry_seconds",
          "Seconds until this node's certificate expires",
          () ->
              Duration.between(Instant.now(), credentialWatcher.current().notAfter()).toSeconds());
    }
  }

  /** The gossip core and its driver, on one loop, and the announcer that feeds it. */
  private void startMembership(NodeCredentials credentials) {
    HashRequirement ids = new HashRequirement(config.requireSha256());
    CredentialAuthority cluster = credentials == null ? null : new CredentialAuthority(credentials);
    ClaimAuthority authority =
        new TrustPolicy(
            cluster == null ? ClaimAuthority.unsigned() : cluster, config.trustedPublishers(), ids);
    GossipCore core =
        new GossipCore(
            config.gossip(),
            nodeId,
            peerAddress,
            config.zone(),
            generation,
            authority,
            new SplittableRandom(new SecureRandom().nextLong()),
            System.nanoTime());
    MembershipOutputs outputs = new MembershipOutputs(nodeId, metrics, config, threads);
    driver =
        new GossipDriver(
            nodeId, core, config.follow(), threads.loops.next(), transport, metrics, outputs);
    peers.connect(driver);
    views =
        ViewDriver.of(config, nodeId, peerAddress, threads.loops.next(), transport, metrics, peers);
    announcer = new CatalogAnnouncer(nodeId, store, authority, ids, driver);
    viewCatalogs =
        ViewCatalogDriver.of(
            config, authority, views, metrics, outputs, peers, announcer, threads.loops.next());
    if (credentialWatcher != null) {
      credentialWatcher.addListener(
          renewed -> {
            cluster.update(renewed);
            driver.execute(m -> m.onCredentialsChanged(System.nanoTime()));
          });
    }
    membershipOutputs = outputs;
  }

  /** The chunk sink, the transfer service on its loop, following and snapshot resolution. */
  private void startTransfers() {
    SwarmDirectory directory = views == null ? driver.directory() : viewCatalogs.directory();
    sink = new ChunkSink(store, threads.committer);
    ChunkArrivals arrivals = new ChunkArrivals(store);
    sink.onCommit(arrivals::committed);
    transfers =
        new TransferService(
            nodeId,
            store,
            reader,
            transport,
            threads.loops.next(),
            threads.transferWorkers,
            threads.verifiers,
            sink,
            directory,
            metrics,
            config,
            new CompressionPolicy(config.compression()),
            config.faults(),
            new HashRequirement(config.requireSha256()),
            entry -> {
              announcer.announce();
              replication.held(entry);
            });
    peers.connect(transfers);
    FetchRetention retention =
        new FetchRetention(config.keep(), reader, threads.workers, announcer, transfers.gate);
    Follower.Failures failures = // where follows came from, each failure counted
        Follower.counted(views == null ? driver : viewCatalogs, metrics.followFailures);
    Follower follower = new Follower(transfers::fetch, retention::apply, () -> closed, failures);
    membershipOutputs.connect(transfers, follower);
    SeedWatch seeds = SeedWatch.on(transport, peers, config.seeds(), peerAddress);
    if (views != null) {
      transport.onDial(PeerTransport.DialListener.both(seeds, views));
      viewCatalogs.onSynced(seeds::onReply);
    }
    CatalogReader swarm = views == null ? driver : viewCatalogs;
    resolver = new SnapshotResolver(store, reader, driver, swarm, transfers, retention, seeds);
    local =
        new LocalSnapshots(
            store, reader, nodeId, config.requireSha256(), resolver, announcer, follower, metrics);
    replication = new LogReplication(logs, store, reader, config.dataDir(), local::publish, swarm);
    follower.logs(replication.following());
    peers.connect(new LogTails(logs, directory, transport::send));
    scrubber =
        new Scrubber(
            store, transfers, e -> announcer.announce(), metrics, config.scrubBytesPerSecond());
    http =
        NodeRoutes.of(
            new HttpApi(metrics),
            this,
            transfers,
            new SnapshotGateway(store, reader, transfers, arrivals, resolver::resolveAndStart),
            scrubber,
            config.openGateway(),
            metrics,
            () -> ready);
    FaultRoutes.addIf(config.faults().linkFaultRoute(), http, transport.linkFaults(), nodeId);
  }

  private void serveHttp() throws IOException {
    httpAddress =
        NodeRoutes.serve(
                http,
                config,
                httpBindAddress,
                threads.loops,
                threads.workers,
                nodeId,
                peerAddress.toString())
            .address();
  }

  /** Publishes a file or directory on this machine and announces it to the cluster. */
  public Publication.Outcome publish(PublishCall call) throws IOException {
    Publication.Outcome o = local.publish(LogReplication.notALogName(call));
    store.catalog().get(o.name(), o.version()).ifPresent(replication::held);
    return o;
  }

  /** Writes a snapshot this node holds to a path on this machine. */
  public Written materialize(GetCall call) throws IOException {
    return local.materialize(call, threads.mirrorWriters);
  }

  /** As {@link #materialize}, holding no thread during the fetch; a full worker pool fails it. */
  public CompletableFuture<Written> materializeAsync(GetCall call) {
    return local.materializeAsync(call, threads.workers, threads.mirrorWriters);
  }

  /**
   * What {@link #fetch} found and did: the complete catalog {@code entry} now held, and the fetch
   * {@code result} (null when the node already held it).
   */
  public record Fetched(CatalogEntry entry, FetchResult result) {}

  /**
   * Makes sure this node holds {@code ref} complete: the newest version the swarm knows (or the one
   * named), fetched from the swarm if missing. Waits up to {@code announcement} for gossip to
   * announce it.
   */
  public Fetched fetch(SnapshotRef ref, Duration announcement) throws IOException {
    return resolver.fetchInto(ref, announcement, null);
  }

  /**
   * Writes {@code ref} to {@code path}: fetched from the swarm with its data chunks written
   * straight into the files as they arrive, verified, without passing through the store (see {@link
   * DirectOutput}); from the store if this node already holds it. The store keeps only the
   * snapshot's index, and the catalog does not list it. Waits up to {@code announcement} for gossip
   * to announce it.
   */
  public Fetched fetchTo(
      SnapshotRef ref, Duration announcement, Path path, Materializer.Options options)
      throws IOException {
    return resolver.fetchTo(ref, announcement, path, options);
  }

  /** Fetches in progress. */
  public List<TransferView> transfers() {
    return transfers.active();
  }

  /** The local catalog as {@code shoal ls} shows it. */
  public List<CatalogListing.Listed> listing() {
    return CatalogListing.list(reader);
  }

  /** This node, its members, every catalog it knows and its fetches in progress. */
  public NodeStatus status() {
    NodeStatus.Self self =
        NodeStatusView.self(config, nodeId, peerAddress, httpAddress, generation);
    return NodeStatusView.ofNode(self, driver, transfers, views, viewCatalogs);
  }

  public NodeId id() {
    return nodeId;
  }

  /** The cluster id peers must share: derived from the CA when secured, else the configured one. */
  public String clusterId() {
    return config.credentials() != null ? config.credentials().clusterId() : config.clusterId();
  }

  /** Whether peers authenticate with TLS and certificates of the cluster's CA. */
  public boolean isSecure() {
    return config.isSecure();
  }

  /**
   * The credentials in use, the newest loaded from the credential directory; null when insecure.
   * They sign for this node ({@link NodeCredentials#sign}) and decide whom to trust ({@link
   * NodeCredentials#trust}).
   */
  public NodeCredentials credentials() {
    return credentialWatcher != null ? credentialWatcher.current() : null;
  }

  /**
   * Calls {@code l} each time the credential directory was loaded again (renewal, revocation),
   * after new connections already use the new credentials. Nothing happens on an insecure node.
   */
  public void onCredentialsChanged(CredentialsListener l) {
    if (credentialWatcher != null) {
      credentialWatcher.addListener(l);
    }
  }

  /**
   * Calls {@code l} on a Netty event loop each time a peer connection passes the handshake, with
   * the peer's id and, when secured, its verified certificate. Must not block. Set before peers
   * connect (right after {@link #start}) to see every connection.
   */
  public void onPeerAuthenticated(Consumer<PeerAuthenticated> l) {
    peers.onAuthenticated(l);
  }

  /** The peers of the open authenticated connections, with their certificates. */
  public List<PeerAuthenticated> connectedPeers() {
    return transport.authenticatedPeers();
  }

  public Endpoint peerAddress() {
    return peerAddress;
  }

  public InetSocketAddress httpAddress() {
    return httpAddress;
  }

  /** The change logs this node holds: append, read and follow them. */
  public NodeLogs logs() {
    return logs;
  }

  public ChunkStore store() {
    return store;
  }

  /** The background scrub (tests start a pass with it). */
  Scrubber scrubber() {
    return scrubber;
  }

  /** The partial-view driver (broadcast and delivery for the layers above); null in full mode. */
  ViewDriver viewDriver() {
    return views;
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  /** Changes the upload limit at run time (bytes per second, 0 for none). */
  public void setUploadLimit(long bytesPerSecond) {
    transfers.setUploadLimit(bytesPerSecond);
  }

  /** Cuts delivery from some peers: the hook for partition tests and fault drills. */
  public void setTransportFilter(TransportFilter filter) {
    transport.setFilter(filter);
  }

  /** Leaves the cluster gracefully, then stops. */
  @Override
  public void close() {
    shutdown(true);
  }

  /** Stops at once without leaving, as a crash would (tests). */
  public void kill() {
    shutdown(false);
  }

  /**
   * Stops the parts in the reverse of their dependencies: the membership (leaving first when
   * graceful), the credential watcher, the HTTP API, transfers and the peer transport, then the
   * threads in {@link NodeThreads}' order around the sink's last batch, and the store last.
   */
  private synchronized void shutdown(boolean graceful) {
    if (closed) {
      return;
    }
    closed = true;
    stopMembership(graceful);
    if (credentialWatcher != null) {
      credentialWatcher.close();
    }
    if (scrubber != null) {
      scrubber.close(); // before transfers: a pass may start a fetch
    }
    if (http != null) {
      http.close();
    }
    if (transfers != null) {
      transfers.close();
    }
    if (replication != null) {
      replication.close();
    }
    peers.closeTails();
    if (logs != null) {
      logs.close();
    }
    if (transport != null) {
      if (graceful) {
        transport.drainAndClose(LEAVE_DRAIN_MILLIS);
      } else {
        transport.close();
      }
    }
    if (threads != null) {
      threads.stopPools();
    }
    if (sink != null) {
      if (graceful) {
        sink.close();
      } else {
        sink.abandon();
      }
    }
    if (threads != null) {
      loopProbe.stop();
      threads.stopCommitter();
      threads.stopLoops();
    }
    StartupLog.stopped(store, config.dataDir(), graceful ? nodeId : null);
  }

  private void stopMembership(boolean graceful) {
    if (views != null) {
      if (graceful) {
        viewCatalogs.leave();
      }
      views.stop();
    }
    if (driver == null) {
      return;
    }
    if (graceful) {
      log.info("node {} leaving the cluster", nodeId.shortHex());
      driver.execute(m -> m.onLeave(System.nanoTime()));
      driver.query(core -> core.incarnation()); // waits until the leave messages are handed over
    }
    driver.stop();
  }
}
