package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.GossipMessage.Ack;
import io.shoal.gossip.GossipMessage.Gossip;
import io.shoal.gossip.GossipMessage.Nack;
import io.shoal.gossip.GossipMessage.Ping;
import io.shoal.gossip.GossipMessage.PingReq;
import io.shoal.gossip.GossipMessage.Sync;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.random.RandomGenerator;

/**
 * Membership and catalog dissemination for one node, as a deterministic state machine.
 *
 * <p>Membership is SWIM with the Lifeguard refinements: {@link FailureDetector} probes members and
 * relays probes for others (the protocol and its references are described there), {@link
 * Membership} applies signed claims about members, times suspicions out and refutes claims about
 * this node, and {@link LocalHealth} stretches this node's timers when it is the slow one. Catalogs
 * and membership news spread by Scuttlebutt-style dissemination and push-pull anti-entropy ({@link
 * Dissemination} over {@link CatalogState}), which also heals partitions. What is reported as a
 * catalog is filtered by this node's trust policy ({@link TrustFilter}).
 *
 * <p>Inputs are {@code on…} methods and {@link #join}, {@link #leave}, {@link #setCatalog}; outputs
 * are {@link #pollSend()}, {@link #pollEvent()} and {@link #nextDeadlineNanos()}. Time comes only
 * from {@code nowNanos} arguments (compared by difference, so any start value works) and randomness
 * only from the injected generator. Single-threaded: the driver owns the thread.
 */
public final class GossipCore implements CatalogSource {
  private final NodeId selfId;
  private final ClaimAuthority authority;
  private final KeyRing keys;
  private final MemberTable members;
  private final Member self;
  private final BroadcastQueue broadcasts = new BroadcastQueue();
  private final CatalogState catalogs;
  private final ReconnectList reconnect;
  private final GossipOutbox outbox = new GossipOutbox();
  private final LocalHealth health;
  private final RefusedClaims refused = new RefusedClaims();
  private final TrustFilter trust;
  private final Membership membership;
  private final Dissemination dissemination;
  private final FailureDetector detector;

  /**
   * @param generation this node's boot generation: persisted, raised at every start; it seeds the
   *     incarnation and stamps the node's catalog entries
   * @param authority signs this node's claims and checks others' ({@link ClaimAuthority#unsigned()}
   *     for insecure nodes and the simulator)
   * @throws IllegalArgumentException when the authority refuses this node's own credential
   */
  public GossipCore(
      GossipConfig config,
      NodeId selfId,
      Endpoint selfAddress,
      long generation,
      ClaimAuthority authority,
      RandomGenerator random,
      long nowNanos) {
    this(config, selfId, selfAddress, Zone.NONE, generation, authority, random, nowNanos);
  }

  /**
   * @param selfZone this node's zone ({@link Zone}), announced in its signed record; empty for none
   */
  public GossipCore(
      GossipConfig config,
      NodeId selfId,
      Endpoint selfAddress,
      String selfZone,
      long generation,
      ClaimAuthority authority,
      RandomGenerator random,
      long nowNanos) {
    Objects.requireNonNull(config, "config");
    Zone.check(selfZone);
    this.selfId = Objects.requireNonNull(selfId, "selfId");
    this.authority = Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(random, "random");
    this.keys = new KeyRing(authority);
    this.members = new MemberTable(selfId);
    this.self =
        new Member(
            selfId,
            selfAddress,
            generation,
            MemberState.ALIVE,
            Membership.signRecord(authority, selfId, selfAddress, generation, false, selfZone),
            nowNanos);
    self.zone = selfZone;
    members.addSelf(self);
    this.catalogs = new CatalogState(selfId, generation, authority, keys);
    if (authority.isSigning()) {
      spreadOwnCredential();
    }
    this.reconnect = new ReconnectList(config);
    this.health = new LocalHealth(config.maxLocalHealth());
    this.trust = new TrustFilter(authority);
    // Random phases, drawn in this order (probes, then push-pull) so that a seed replays exactly.
    long firstProbeNanos = nowNanos + random.nextLong(Math.max(1, config.probeIntervalNanos()));
    long firstPushPullNanos =
        nowNanos + random.nextLong(Math.max(1, config.pushPullIntervalNanos()));
    this.membership =
        new Membership(
            config,
            self,
            authority,
            members,
            catalogs,
            broadcasts,
            reconnect,
            outbox,
            health,
            refused,
            random);
    this.dissemination =
        new Dissemination(
            config,
            members,
            membership,
            catalogs,
            broadcasts,
            reconnect,
            outbox,
            refused,
            trust,
            random,
            nowNanos,
            firstPushPullNanos);
    this.detector =
        new FailureDetector(
            config, members, membership, dissemination, health, outbox, random, firstProbeNanos);
  }

  /** Checks this node's own credential and carries it in its map, from the first message on. */
  private void spreadOwnCredential() {
    Credential own = Credential.of(authority.ownCredential());
    if (own.isEmpty() || keys.admit(selfId, own) == null) {
      throw new IllegalArgumentException(
          "this node's own credential is refused for node id " + selfId);
    }
    broadcasts.add(catalogs.setLocalCredential(selfId, own));
  }

  // ---------------------------------------------------------------- inputs

  /** Contacts the seeds with a push-pull sync, and keeps them on the reconnect list. */
  public void join(Collection<Endpoint> seeds, long nowNanos) {
    dissemination.join(seeds, nowNanos);
  }

  /** Announces that this node leaves: LEFT goes to a few members directly and into gossip. */
  public void leave(long nowNanos) {
    membership.leave();
  }

  /**
   * Records a change to this node's catalog and starts spreading it. When claims are signed, every
   * held version must carry its publisher's signature, and the credential of every publisher other
   * than this node must be known here: from gossip, or given first with {@link #setCredential}.
   *
   * @throws IllegalStateException when a publisher's credential is not known
   */
  public void setCatalog(String name, CatalogValue value, long nowNanos) {
    catalogs.setLocal(name, value).forEach(broadcasts::add);
  }

  /**
   * Carries a publisher's credential in this node's map, so that the versions it holds from that
   * publisher stay checkable by others after the publisher left. No-op when not signing.
   *
   * @throws IllegalArgumentException when the authority refuses the credential
   */
  public void setCredential(NodeId subject, Credential credential, long nowNanos) {
    if (!authority.isSigning()) {
      return;
    }
    CredentialDelta d = catalogs.setLocalCredential(subject, credential);
    if (d != null) {
      broadcasts.add(d);
    }
  }

  /**
   * Pins {@code name} to the version with {@code root} (or unpins it, when {@code root} is null):
   * signs the claim, stamped past every claim known for the name, and carries it in this node's
   * entry of the name. Returns the claim.
   *
   * @param nowMillis the wall clock, read by the driver: it orders claims made on different nodes
   * @throws IllegalStateException when the newest known claim's stamp cannot be passed
   */
  public Pin pin(String name, long version, ChunkId root, long nowMillis, long nowNanos) {
    long stamp = Pin.nextStamp(nowMillis, catalogs.newestPin(name, p -> true));
    Pin pin =
        new Pin(
            stamp,
            selfId,
            version,
            root,
            Signature.of(authority.sign(ClaimPayloads.pin(name, stamp, selfId, version, root))));
    catalogs.carryPin(name, pin).forEach(broadcasts::add);
    return pin;
  }

  /**
   * Carries a claim this node honoured before it restarted, with its pinner's credential (from the
   * node's pin file); a claim that is not newer than one already carried changes nothing.
   *
   * @throws IllegalArgumentException when the authority refuses the pinner's credential
   */
  public void restorePin(String name, Pin pin, Credential pinnerCredential, long nowNanos) {
    if (!pin.pinner().equals(selfId)) {
      setCredential(pin.pinner(), pinnerCredential, nowNanos);
    }
    catalogs.carryPin(name, pin).forEach(broadcasts::add);
  }

  /**
   * The credential a directly connected peer presented when its connection was authenticated (the
   * runtime's TLS session): lets this core check the peer's own claims before gossip brings its
   * credential entry.
   */
  public void onPeerCredential(NodeId peer, Credential credential, long nowNanos) {
    if (authority.isSigning()) {
      keys.admit(peer, credential);
    }
  }

  /**
   * The authority's view changed (this node's certificate was renewed, a node was revoked): spreads
   * this node's new credential, checks every known credential again, and forgets the members and
   * owners whose credential is now refused.
   */
  public void onCredentialsChanged(long nowNanos) {
    if (!authority.isSigning()) {
      return;
    }
    Credential own = Credential.of(authority.ownCredential());
    for (NodeId gone : catalogs.recheck()) {
      membership.forget(gone);
    }
    setCredential(selfId, own, nowNanos);
  }

  /** A message from member {@code from} at {@code fromAddress} (authenticated by the driver). */
  public void onMessage(NodeId from, Endpoint fromAddress, GossipMessage message, long nowNanos) {
    Member sender = members.get(from);
    if (sender != null) {
      sender.lastContactNanos = nowNanos;
    }
    reconnect.heardFrom(fromAddress);
    if (message instanceof Ping p) {
      dissemination.merge(p.updates(), nowNanos);
      detector.onPing(from, fromAddress, p);
    } else if (message instanceof Ack a) {
      dissemination.merge(a.updates(), nowNanos);
      detector.onAck(a, nowNanos);
    } else if (message instanceof PingReq r) {
      dissemination.merge(r.updates(), nowNanos);
      detector.onPingReq(from, fromAddress, r, nowNanos);
    } else if (message instanceof Nack n) {
      detector.onNack(n);
    } else if (message instanceof Gossip g) {
      dissemination.merge(g.updates(), nowNanos);
    } else if (message instanceof Sync s) {
      dissemination.onSync(from, fromAddress, s, nowNanos);
    }
  }

  /** Runs whatever is due: probes, suspicion expiries, pushes, exchanges, reconnects. */
  public void onTimer(long nowNanos) {
    detector.onTimer(nowNanos);
    membership.expireTimers(nowNanos);
    dissemination.onTimer(nowNanos);
  }

  // ---------------------------------------------------------------- outputs

  /** The next message to send, or null. */
  public Outbound pollSend() {
    return outbox.pollSend();
  }

  /** The next event, or null. */
  public GossipEvent pollEvent() {
    return outbox.pollEvent();
  }

  /** When {@link #onTimer} next has work, on the caller's clock. */
  public long nextDeadlineNanos() {
    long next = detector.nextProbeNanos();
    next = dissemination.earliestDeadline(next);
    next = detector.earliestDeadline(next);
    return membership.earliestTimer(next);
  }

  // ---------------------------------------------------------------- queries

  public NodeId id() {
    return selfId;
  }

  public long incarnation() {
    return self.incarnation;
  }

  public int localHealth() {
    return health.score();
  }

  /**
   * Push-pull replies received: past 0, this node has exchanged catalogs with a member at least
   * once (after a join, it knows what the seed knew).
   */
  @Override
  public long syncReplies() {
    return dissemination.syncReplies();
  }

  /** Messages dropped because the outbox was full. */
  public long droppedMessages() {
    return outbox.droppedMessages();
  }

  /** Claims refused for {@code reason} since this core started. */
  public long refusedClaims(ClaimRefusal reason) {
    return refused.count(reason);
  }

  /** A credential of {@code subject} that some owner's map carries, or null. */
  @Override
  public Credential credentialOf(NodeId subject) {
    return catalogs.credentialOf(subject);
  }

  /** Members this core knows, self included, in any state. */
  public int memberCount() {
    return members.size();
  }

  /** Owners whose maps this core keeps, self included. */
  public int ownerCount() {
    return catalogs.ownerCount();
  }

  /** Members alive or suspected, self included: cheap, for drivers that sample agreement. */
  @Override
  public int reachableMembers() {
    return members.reachableCount();
  }

  /** Every member, self included, in id order. */
  public List<MemberView> members() {
    List<MemberView> out = new ArrayList<>(members.size());
    for (Member m : members.all()) {
      out.add(
          new MemberView(
              m.id,
              m.address,
              m.incarnation,
              m.state,
              m.stateSinceNanos,
              m.lastContactNanos,
              m == self,
              m.zone));
    }
    return out;
  }

  /** Every owner's catalog (non-empty values), by owner then name. */
  @Override
  public SortedMap<NodeId, SortedMap<String, CatalogValue>> catalogs() {
    return trust.trusted(catalogs.view());
  }

  /**
   * Every owner's catalog as relayed, versions this node does not trust included: what its peers
   * see, for status pages and tests.
   */
  @Override
  public SortedMap<NodeId, SortedMap<String, CatalogValue>> relayedCatalogs() {
    return catalogs.view();
  }

  /** Whether this node's authority trusts {@code v}: it may win, be followed and be fetched. */
  @Override
  public boolean isTrusted(HeldVersion v) {
    return trust.isTrusted(v);
  }

  /**
   * The winning version of every name, over every catalog this node knows: the pinned version of a
   * pinned name (none while no member holds it: the pin waits), else the highest.
   */
  public SortedMap<String, Winners.Winner> winners() {
    return Winners.of(catalogs(), activePins());
  }

  /**
   * The claim this node honours for every name that has one: the newest pin or unpin its policy
   * trusts, over every map (its own included). An unpin stays, so an older pin cannot return.
   */
  public SortedMap<String, Pin> pins() {
    SortedMap<String, Pin> out = new java.util.TreeMap<>();
    for (String name : catalogs.pinnedNames()) {
      Pin p = catalogs.newestPin(name, trust::isTrusted);
      if (p != null) {
        out.put(name, p);
      }
    }
    return out;
  }

  /** The names pinned now, and their pins. */
  public SortedMap<String, Pin> activePins() {
    SortedMap<String, Pin> out = pins();
    out.values().removeIf(Pin::isUnpin);
    return out;
  }

  /** The Merkle root over an owner's catalog; equal digests mean equal catalogs. */
  @Override
  public ChunkId catalogDigest(NodeId owner) {
    return catalogs.catalogDigest(owner);
  }

  /** Members on the reconnect list. */
  public List<NodeId> reconnectList() {
    return reconnect.deadIds();
  }
}
