package io.shoal.node;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.NodeIdentity;
import io.shoal.chunkstore.Progress;
import io.shoal.chunkstore.snapshot.CatalogListing;
import io.shoal.chunkstore.snapshot.Publication;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.GossipEvent;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.node.net.Addresses;
import io.shoal.node.net.AllowedHosts;
import io.shoal.node.net.ApiToken;
import io.shoal.node.net.HttpAccess;
import io.shoal.node.net.HttpApi;
import io.shoal.node.net.HttpApi.Response;
import io.shoal.node.net.HttpExposure;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerAuthenticated;
import io.shoal.node.net.PeerTransport;
import io.shoal.node.net.TransportFilter;
import io.shoal.node.security.CredentialAuthority;
import io.shoal.node.security.CredentialException;
import io.shoal.node.security.CredentialsListener;
import io.shoal.node.security.NodeCredentials;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: owns its data directory, serves peers and the HTTP API, and runs the gossip core.
 * Start with {@link #start}; {@link #close()} leaves the cluster gracefully.
 *
 * <p>Threads: one Netty event loop group (the gossip core runs on one of its loops), a small
 * bounded pool for blocking work (publishing, listing, status), and, when secured, the timer that
 * re-reads the credential directory ({@link CredentialWatcher}). All are stopped by close.
 */
public final class ShoalNode implements AutoCloseable {
  static final int EVENT_LOOP_THREADS = 2;
  static final int WORKER_THREADS = 2;
  static final int WORKER_QUEUE = 16;
  static final long LEAVE_DRAIN_MILLIS = 1000;
  static final int TRANSFER_THREADS = 2;
  static final int TRANSFER_QUEUE = 4096;
  static final long FETCH_TIMEOUT_HOURS = 24;

  private static final Logger log = LoggerFactory.getLogger(ShoalNode.class);

  private final NodeConfig config;
  private final InetSocketAddress httpBindAddress;
  private volatile boolean ready;
  private final ChunkStore store;
  private final SnapshotReader reader;
  private final NodeMetrics metrics = new NodeMetrics();
  private final Map<String, HeldVersion> knownWinners = new TreeMap<>();
  private NodeId nodeId;
  private long generation;
  private EventLoopGroup group;
  private PeerTransport transport;
  private volatile GossipDriver driver;

  /** The gossip core; touched only on the driver's loop (gossip events are handled there). */
  private GossipCore gossip;

  private CatalogAnnouncer announcer;
  private HttpApi http;
  private ThreadPoolExecutor workers;
  private ThreadPoolExecutor transferWorkers;
  private java.util.concurrent.ScheduledExecutorService committer;
  private ChunkSink sink;
  private SwarmDirectory directory;
  private TransferService transfers;
  private ChunkArrivals arrivals;
  private GlobMatcher follow;
  private Endpoint peerAddress;
  private InetSocketAddress httpAddress;
  private volatile boolean closed;
  private CredentialWatcher credentialWatcher;
  private volatile Consumer<PeerAuthenticated> authenticatedListener = p -> {};

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

  private void boot() throws IOException {
    NodeCredentials credentials = config.credentials();
    if (credentials == null) {
      if (!config.insecure() && !Addresses.isLoopback(config.listenHost())) {
        throw new IllegalArgumentException(
            "refusing to listen on "
                + config.listenHost()
                + " without credentials: pass --credentials DIR (see 'shoal cluster issue'), or"
                + " --insecure to let anyone who reaches that address join");
      }
      nodeId = NodeId.parse(NodeIdentity.loadOrCreate(config.dataDir()));
    } else {
      Instant now = Instant.now();
      if (!now.isBefore(credentials.notAfter())) {
        throw new CredentialException(
            "this node's certificate in "
                + credentials.dir()
                + " expired on "
                + credentials.notAfter()
                + "; renew it with 'shoal cluster issue CA_DIR --out "
                + credentials.dir()
                + "'");
      }
      credentials.warnings().forEach(w -> log.warn("{}", w));
      CredentialWatcher.warnIfExpiring(credentials, now);
      nodeId = credentials.nodeId();
      String replaced = NodeIdentity.replace(config.dataDir(), nodeId.toHex());
      if (replaced != null) {
        log.info(
            "node id of {} is now {}, derived from the certificate (it was {})",
            config.dataDir(),
            nodeId.toHex(),
            replaced);
      }
    }
    generation = DataDirFiles.nextGeneration(config.dataDir());
    group = new MultiThreadIoEventLoopGroup(EVENT_LOOP_THREADS, NioIoHandler.newFactory());
    metrics.gauge("shoal_store_chunks", "Chunks in the store", () -> store.stats().chunkCount());
    metrics.gauge(
        "shoal_store_chunk_bytes",
        "Payload bytes of the chunks in the store",
        () -> store.stats().chunkBytes());
    transport =
        new PeerTransport(
            clusterId(),
            nodeId,
            credentials,
            group,
            metrics,
            new PeerTransport.Listener() {
              @Override
              public void onMessage(
                  NodeId from,
                  Endpoint fromAddress,
                  io.shoal.node.net.PeerLink link,
                  Object message) {
                onPeerMessage(from, fromAddress, link, message);
              }

              @Override
              public void onWritability(io.shoal.node.net.PeerLink link, boolean writable) {
                transfers.onWritability(link, writable);
              }

              @Override
              public void onAuthenticated(io.shoal.node.net.PeerLink link) {
                PeerAuthenticated peer = link.authenticated();
                GossipDriver d = driver; // null while the node is still starting
                if (peer.isVerified() && d != null) {
                  // The core can check this peer's own claims before gossip brings its
                  // credential entry.
                  d.execute(
                      c ->
                          c.onPeerCredential(
                              peer.nodeId(),
                              io.shoal.gossip.Credential.of(peer.certificate()),
                              System.nanoTime()));
                }
                authenticatedListener.accept(peer);
              }

              @Override
              public void onDisconnected(io.shoal.node.net.PeerLink link) {
                transfers.onDisconnected(link);
              }
            });
    peerAddress = transport.bind(config.listenHost(), config.listenPort(), config.advertise());
    if (credentials != null) {
      credentialWatcher = new CredentialWatcher(credentials, transport);
      metrics.gauge(
          "shoal_credential_expiry_seconds",
          "Seconds until this node's certificate expires",
          () ->
              java.time.Duration.between(Instant.now(), credentialWatcher.current().notAfter())
                  .toSeconds());
    }
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
            generation,
            authority,
            new SplittableRandom(new SecureRandom().nextLong()),
            System.nanoTime());
    gossip = core;
    directory = new SwarmDirectory(nodeId);
    follow = new GlobMatcher(config.follow());
    driver = new GossipDriver(core, group.next(), transport, metrics, this::onGossipEvent);
    announcer = new CatalogAnnouncer(nodeId, store, authority, ids, driver);
    if (credentialWatcher != null) {
      credentialWatcher.addListener(
          renewed -> {
            cluster.update(renewed);
            driver.execute(c -> c.onCredentialsChanged(System.nanoTime()));
          });
    }
    AtomicInteger transferNumber = new AtomicInteger();
    transferWorkers =
        new ThreadPoolExecutor(
            TRANSFER_THREADS,
            TRANSFER_THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(TRANSFER_QUEUE),
            r -> {
              Thread t = new Thread(r, "shoal-transfer-" + transferNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    committer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "shoal-store-commit");
              t.setDaemon(true);
              return t;
            });
    sink = new ChunkSink(store, committer);
    arrivals = new ChunkArrivals(store);
    sink.onCommit(arrivals::committed);
    transfers =
        new TransferService(
            nodeId,
            store,
            reader,
            transport,
            group.next(),
            transferWorkers,
            sink,
            directory,
            metrics,
            config.transfer(),
            new CompressionPolicy(config.compression()),
            config.uploadBytesPerSecond(),
            config.faults(),
            new HashRequirement(config.requireSha256()),
            entry -> onCatalogEntry());
    announceCatalog();
    AtomicInteger workerNumber = new AtomicInteger();
    workers =
        new ThreadPoolExecutor(
            WORKER_THREADS,
            WORKER_THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(WORKER_QUEUE),
            r -> {
              Thread t = new Thread(r, "shoal-node-worker-" + workerNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    serveHttp();
    ready = true; // only now can the CLI find the node through its data directory
    log.info(
        "node {} up: peers at {}, HTTP at {}://{}, data in {}, cluster '{}'",
        nodeId.shortHex(),
        peerAddress,
        httpScheme(),
        AllowedHosts.authority(httpAddress.getHostString(), httpAddress.getPort()),
        config.dataDir(),
        clusterId());
    if (config.openGateway()) {
      log.info("the snapshot gateway /snapshots/ is open without the token (--open-gateway)");
    }
    if (credentials != null) {
      log.info(
          "peers authenticate with TLS 1.3 ({} provider) and certificates of cluster {}",
          transport.tlsProvider(),
          clusterId());
    } else if (Addresses.isLoopback(config.listenHost())) {
      log.info("running insecure on loopback: no TLS, peers are not authenticated");
    } else {
      log.warn(
          "running INSECURE (--insecure): no TLS, and any process that can reach {} can join;"
              + " pass --credentials DIR",
          peerAddress);
    }
    List<Endpoint> seeds = config.seeds();
    driver.execute(c -> c.join(seeds, System.nanoTime()));
  }

  /**
   * Serves the HTTP API behind a fresh token, and writes node.json (owner-only) so that the CLI,
   * run by the same user, finds the API, its token and, with TLS, the certificate to pin.
   */
  private void serveHttp() throws IOException {
    ApiToken token = ApiToken.generate();
    boolean tls = config.httpTls() != null;
    http = routes(new HttpApi(metrics));
    httpAddress =
        http.bind(
            group,
            httpBindAddress,
            workers,
            config.httpTls(),
            bound ->
                new HttpAccess(
                    token,
                    AllowedHosts.of(config.httpHost(), bound, config.httpNames(), tls),
                    config.httpAllowOrigins()));
    DataDirFiles.writeNodeInfo(
        config.dataDir(),
        new DataDirFiles.NodeInfo(
            ProcessHandle.current().pid(),
            nodeId.toHex(),
            peerAddress.toString(),
            AllowedHosts.localAuthority(httpAddress),
            httpScheme(),
            token.value(),
            tls ? config.httpTls().fingerprintSha256() : null));
  }

  private String httpScheme() {
    return config.httpTls() == null ? "http" : "https";
  }

  private HttpApi routes(HttpApi api) {
    return api.route("GET", "/status", true, r -> Response.json(status()))
        .route("GET", "/ls", true, r -> Response.json(listing()))
        .route("POST", "/publish", true, r -> Response.json(publish(r.json(PublishCall.class))))
        .route("POST", "/get", true, r -> Response.json(materialize(r.json(GetCall.class))))
        .route("GET", "/transfers", false, r -> Response.json(transfers.active()))
        .streamUnder(
            SnapshotGateway.PREFIX,
            new SnapshotGateway(store, reader, transfers, arrivals, this::resolveAndStart),
            config.openGateway())
        .openRoute(
            "/metrics",
            false,
            r -> Response.text(metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8"))
        .openRoute(
            "/health",
            false,
            r -> ready ? Response.text("ok\n", "text/plain") : Response.error(503, "starting"));
  }

  /**
   * A publication request, as the CLI sends it.
   *
   * @param name snapshot name
   * @param path absolute path on this machine
   * @param version version to publish, or null for newest + 1
   * @param hash id algorithm, or null for xxh128
   * @param keep versions per name to keep, or null for 10
   */
  public record PublishCall(String name, String path, Long version, String hash, Integer keep) {}

  /** Publishes a file or directory on this machine and announces it to the cluster. */
  public Publication.Outcome publish(PublishCall call) throws IOException {
    if (call.name() == null || call.path() == null) {
      throw new IllegalArgumentException("publish needs a name and a path");
    }
    Path path = Path.of(call.path());
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException("path must be absolute: " + call.path());
    }
    HashAlgorithm hash =
        new HashRequirement(config.requireSha256())
            .forPublishing(call.hash() == null ? null : HashAlgorithm.parse(call.hash()));
    int keep = call.keep() == null ? 10 : call.keep();
    Publication.Outcome outcome =
        Publication.publish(
            store,
            path,
            call.name(),
            call.version() != null ? call.version() : nextVersion(call.name()),
            hash,
            keep,
            nodeId.toHex(),
            System.currentTimeMillis(),
            Progress.none());
    log.info(
        "published {}@{} (root {}, {} bytes, {} new)",
        outcome.name(),
        outcome.version(),
        outcome.root().substring(0, 12),
        outcome.sizeBytes(),
        outcome.newBytes());
    announceCatalog();
    return outcome;
  }

  /**
   * A request to write a snapshot out on this machine.
   *
   * @param ref {@code NAME} or {@code NAME@VERSION}
   * @param path absolute output path
   * @param force replace an existing output
   * @param sync fsync before the output appears
   */
  public record GetCall(String ref, String path, boolean force, boolean sync) {}

  /**
   * What a materialization wrote.
   *
   * @param name snapshot name
   * @param version version
   * @param root snapshot id, hex
   * @param path where it went
   * @param files regular files written
   * @param bytes bytes written
   * @param seconds time taken
   */
  public record Written(
      String name,
      long version,
      String root,
      String path,
      long files,
      long bytes,
      double seconds) {}

  /** Writes a snapshot this node holds to a path on this machine. */
  public Written materialize(GetCall call) throws IOException {
    if (call.ref() == null || call.path() == null || !Path.of(call.path()).isAbsolute()) {
      throw new IllegalArgumentException("get needs a snapshot and an absolute path");
    }
    io.shoal.chunkstore.SnapshotRef ref = io.shoal.chunkstore.SnapshotRef.parse(call.ref());
    long start = System.nanoTime();
    CatalogEntry entry = fetch(ref, java.time.Duration.ZERO).entry();
    var result =
        io.shoal.chunkstore.snapshot.Materializer.materialize(
            reader,
            entry.root(),
            Path.of(call.path()),
            io.shoal.chunkstore.snapshot.Materializer.Options.defaults()
                .withOverwrite(call.force())
                .withSync(call.sync()),
            Progress.none());
    return new Written(
        entry.name(),
        entry.version(),
        entry.root().toHex(),
        call.path(),
        result.files(),
        result.bytes(),
        (System.nanoTime() - start) / 1e9);
  }

  /**
   * What {@link #fetch} found and did.
   *
   * @param entry the complete catalog entry now held
   * @param result the fetch, or null when the node already held it
   */
  public record Fetched(CatalogEntry entry, FetchResult result) {}

  /**
   * Makes sure this node holds {@code ref} complete: the newest version the swarm knows (or the one
   * named), fetched from the swarm if missing. Waits up to {@code announcement} for gossip to
   * announce it.
   */
  public Fetched fetch(io.shoal.chunkstore.SnapshotRef ref, java.time.Duration announcement)
      throws IOException {
    return fetchInto(ref, announcement, null);
  }

  /**
   * Writes {@code ref} to {@code path}: fetched from the swarm with its data chunks written
   * straight into the files as they arrive, verified, without passing through the store (see {@link
   * DirectOutput}); from the store if this node already holds it. The store keeps only the
   * snapshot's index, and the catalog does not list it. Waits up to {@code announcement} for gossip
   * to announce it.
   */
  public Fetched fetchTo(
      io.shoal.chunkstore.SnapshotRef ref,
      java.time.Duration announcement,
      Path path,
      io.shoal.chunkstore.snapshot.Materializer.Options options)
      throws IOException {
    io.shoal.chunkstore.snapshot.Materializer.checkTargetEarly(path, options.overwrite());
    try (DirectOutput out = new DirectOutput(path, options)) {
      Fetched f = fetchInto(ref, announcement, out);
      if (f.result() == null) {
        io.shoal.chunkstore.snapshot.Materializer.materialize(
            reader, f.entry().root(), path, options, Progress.none());
      }
      return f;
    }
  }

  private Fetched fetchInto(
      io.shoal.chunkstore.SnapshotRef ref, java.time.Duration announcement, DirectOutput out)
      throws IOException {
    long deadline = System.nanoTime() + announcement.toNanos();
    while (true) {
      // Right after joining, the swarm's catalogs are not known yet: what is held here may be old.
      // (Asked before resolving, so a catalog that lands in between is not missed.)
      boolean heard =
          announcement.isZero()
              || config.seeds().isEmpty()
              || driver.query(core -> core.syncReplies() > 0)
              || System.nanoTime() - deadline >= 0;
      Optional<CatalogEntry> target = resolveInSwarm(ref);
      Optional<CatalogEntry> local = ref.resolve(store.catalog());
      boolean localIsNewest =
          local.isPresent() && (target.isEmpty() || !beats(target.get(), local.get()));
      if (localIsNewest && heard) {
        return new Fetched(local.get(), null);
      }
      if (!localIsNewest && target.isPresent()) {
        try {
          if (out != null) {
            FetchResult r =
                transfers.fetchTo(target.get(), out).get(FETCH_TIMEOUT_HOURS, TimeUnit.HOURS);
            return new Fetched(target.get(), r);
          }
          FetchResult r = transfers.fetch(target.get()).get(FETCH_TIMEOUT_HOURS, TimeUnit.HOURS);
          applyRetention();
          return new Fetched(
              store.catalog().get(target.get().name(), target.get().version()).orElseThrow(), r);
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof IOException io
              ? io
              : new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while fetching " + ref);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new IOException("fetching " + ref + " did not finish", e);
        }
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new IllegalArgumentException("no member of the swarm announces " + ref + " (yet)");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while waiting for " + ref);
      }
    }
  }

  /**
   * The snapshot {@code ref} names, held here or offered by the swarm; a fetch is started (not
   * awaited) when this node lacks it, so a streaming reader can consume it as it arrives.
   */
  private CatalogEntry resolveAndStart(io.shoal.chunkstore.SnapshotRef ref) {
    Optional<CatalogEntry> target = resolveInSwarm(ref);
    Optional<CatalogEntry> local = ref.resolve(store.catalog());
    if (local.isPresent() && (target.isEmpty() || !beats(target.get(), local.get()))) {
      return local.get();
    }
    if (target.isEmpty()) {
      throw new IllegalArgumentException("no member of the swarm announces " + ref);
    }
    transfers.fetch(target.get());
    return target.get();
  }

  private static boolean beats(CatalogEntry a, CatalogEntry b) {
    return io.shoal.gossip.Winners.beats(a.version(), a.root(), b.version(), b.root());
  }

  /**
   * The version the swarm offers for {@code ref}: the winner, or the named version's best root,
   * among the versions this node trusts.
   *
   * @throws IllegalArgumentException when the swarm offers {@code ref} only from publishers, or
   *     with ids, that this node does not trust
   */
  private Optional<CatalogEntry> resolveInSwarm(io.shoal.chunkstore.SnapshotRef ref) {
    Resolution r =
        driver.query(
            core -> {
              HeldVersion best = best(core.catalogs(), ref);
              return best != null
                  ? new Resolution(
                      Optional.of(
                          new CatalogEntry(
                              ref.name(),
                              best.version(),
                              best.root(),
                              false,
                              best.sizeBytes(),
                              0,
                              CatalogAnnouncer.provenanceOf(best, core))),
                      false)
                  : new Resolution(Optional.empty(), best(core.relayedCatalogs(), ref) != null);
            });
    if (r.untrustedOnly()) {
      throw new IllegalArgumentException(
          ref
              + " is announced only by publishers, or with ids, that this node does not trust"
              + " (see --trust-publisher and --require-sha256)");
    }
    return r.entry();
  }

  /** What the swarm offers for a reference. */
  private record Resolution(Optional<CatalogEntry> entry, boolean untrustedOnly) {}

  private static HeldVersion best(
      Map<NodeId, ? extends Map<String, CatalogValue>> catalogs,
      io.shoal.chunkstore.SnapshotRef ref) {
    HeldVersion best = null;
    for (var catalog : catalogs.values()) {
      CatalogValue v = catalog.get(ref.name());
      if (v == null) {
        continue;
      }
      for (HeldVersion h : v.versions()) {
        boolean wanted = ref.version().isEmpty() || ref.version().getAsLong() == h.version();
        if (wanted
            && (best == null
                || io.shoal.gossip.Winners.beats(
                    h.version(), h.root(), best.version(), best.root()))) {
          best = h;
        }
      }
    }
    return best;
  }

  /** Fetches in progress. */
  public List<TransferView> transfers() {
    return transfers.active();
  }

  /** One past the newest version of the name anywhere this node knows of: here or in the swarm. */
  private long nextVersion(String name) {
    long local = store.catalog().latest(name).map(CatalogEntry::version).orElse(0L);
    long swarm =
        driver.query(
            core -> core.winners().containsKey(name) ? core.winners().get(name).version() : 0L);
    return Math.max(local, swarm) + 1;
  }

  /** The local catalog as {@code shoal ls} shows it. */
  public List<CatalogListing.Listed> listing() {
    return CatalogListing.list(reader);
  }

  /** This node, its members and every catalog it knows. */
  public NodeStatus status() {
    return driver.query(core -> NodeStatusView.of(core, self()));
  }

  private NodeStatus.Self self() {
    return new NodeStatus.Self(
        nodeId.toHex(),
        peerAddress.toString(),
        hostPort(httpAddress),
        clusterId(),
        config.isSecure(),
        0,
        generation,
        0,
        config.dataDir().toString());
  }

  /** Tells the gossip core what the store holds (see {@link CatalogAnnouncer}). */
  private void announceCatalog() {
    announcer.announce();
  }

  private void onPeerMessage(
      NodeId from, Endpoint fromAddress, io.shoal.node.net.PeerLink link, Object message) {
    if (message instanceof GossipMessage g) {
      driver.onMessage(from, fromAddress, g);
    } else {
      transfers.onMessage(from, link, message);
    }
  }

  private void onGossipEvent(GossipEvent e) {
    if (e instanceof GossipEvent.MemberUp u) {
      directory.memberUp(u.id(), u.address());
    } else if (e instanceof GossipEvent.MemberDown d) {
      directory.memberGone(d.id());
      transfers.onMemberGone(d.id());
    } else if (e instanceof GossipEvent.MemberLeft l) {
      directory.memberGone(l.id());
      transfers.onMemberGone(l.id());
    } else if (e instanceof GossipEvent.CatalogChanged c) {
      directory.catalogChanged(c.owner(), c.name(), c.value());
    }
    logEvent(e);
  }

  private void logEvent(GossipEvent e) {
    if (e instanceof GossipEvent.MemberUp u) {
      log.info(
          "member {} up at {} (incarnation {})", u.id().shortHex(), u.address(), u.incarnation());
    } else if (e instanceof GossipEvent.MemberSuspected s) {
      log.info("member {} at {} suspected: it missed its probes", s.id().shortHex(), s.address());
    } else if (e instanceof GossipEvent.MemberDown d) {
      log.warn(
          "member {} at {} declared dead; it stays on the reconnect list",
          d.id().shortHex(),
          d.address());
    } else if (e instanceof GossipEvent.MemberLeft l) {
      log.info("member {} at {} left the cluster", l.id().shortHex(), l.address());
    } else if (e instanceof GossipEvent.Refuted r) {
      log.info(
          "this node was suspected or reported elsewhere; refuted with incarnation {}",
          r.incarnation());
    } else if (e instanceof GossipEvent.CatalogChanged c) {
      noteWinner(c);
    }
  }

  private void noteWinner(GossipEvent.CatalogChanged c) {
    for (HeldVersion v : c.value().versions()) {
      HeldVersion known = knownWinners.get(c.name());
      if (known == null
          || io.shoal.gossip.Winners.beats(v.version(), v.root(), known.version(), known.root())) {
        knownWinners.put(c.name(), v);
        log.info(
            "{}@{} (root {}) announced by {}",
            c.name(),
            v.version(),
            v.root().toShortHex(),
            c.owner().shortHex());
        if (follow.matches(c.name())) {
          followWinner(c.name(), v);
        }
      }
    }
  }

  /** Fetches a followed name's new winner unless this node already holds it. */
  private void followWinner(String name, HeldVersion v) {
    boolean held =
        store
            .catalog()
            .get(name, v.version())
            .map(e -> e.complete() && e.root().equals(v.root()))
            .orElse(false);
    if (held || closed) {
      return;
    }
    CatalogEntry target =
        new CatalogEntry(
            name,
            v.version(),
            v.root(),
            false,
            v.sizeBytes(),
            0,
            CatalogAnnouncer.provenanceOf(v, gossip));
    transfers
        .fetch(target)
        .whenComplete(
            (r, err) -> {
              if (err != null) {
                log.warn(
                    "following {}: fetching {}@{} failed: {}",
                    name,
                    name,
                    v.version(),
                    err.getMessage());
              } else {
                applyRetention();
              }
            });
  }

  private void applyRetention() {
    if (config.keep() > 0) {
      workers.execute(
          () -> {
            try {
              io.shoal.chunkstore.snapshot.Retention.apply(reader, config.keep());
              announceCatalog();
            } catch (IOException | RuntimeException e) {
              log.warn("retention failed: {}", e.toString());
            }
          });
    }
  }

  private void onCatalogEntry() {
    announceCatalog();
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
    authenticatedListener = Objects.requireNonNull(l, "l");
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

  public ChunkStore store() {
    return store;
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

  private synchronized void shutdown(boolean graceful) {
    if (closed) {
      return;
    }
    closed = true;
    if (driver != null) {
      if (graceful) {
        log.info("node {} leaving the cluster", nodeId.shortHex());
        driver.execute(core -> core.leave(System.nanoTime()));
        driver.query(core -> core.incarnation()); // waits until the leave messages are handed over
      }
      driver.stop();
    }
    if (credentialWatcher != null) {
      credentialWatcher.close();
    }
    if (http != null) {
      http.close();
    }
    if (transfers != null) {
      transfers.close();
    }
    if (transport != null) {
      if (graceful) {
        transport.drainAndClose(LEAVE_DRAIN_MILLIS);
      } else {
        transport.close();
      }
    }
    if (workers != null) {
      workers.shutdownNow();
    }
    if (transferWorkers != null) {
      transferWorkers.shutdownNow();
    }
    if (sink != null) {
      if (graceful) {
        sink.close();
      } else {
        sink.abandon();
      }
    }
    if (committer != null) {
      committer.shutdown();
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    try {
      if (graceful && nodeId != null) {
        DataDirFiles.removeNodeInfo(config.dataDir());
      }
      store.close();
    } catch (IOException e) {
      log.warn("closing the store failed: {}", e.toString());
    }
    if (graceful && nodeId != null) {
      log.info("node {} stopped", nodeId.shortHex());
    }
  }

  static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }
}
