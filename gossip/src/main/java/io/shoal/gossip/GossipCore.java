package io.shoal.gossip;

import io.shoal.gossip.GossipMessage.Ack;
import io.shoal.gossip.GossipMessage.Gossip;
import io.shoal.gossip.GossipMessage.Nack;
import io.shoal.gossip.GossipMessage.Ping;
import io.shoal.gossip.GossipMessage.PingReq;
import io.shoal.gossip.GossipMessage.Sync;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * Membership and catalog dissemination for one node, as a deterministic state machine.
 *
 * <p>Membership is SWIM (Das, Gupta and Motivala, 2002) with the Lifeguard refinements (Dadgar,
 * Phillips and Currey, 2018): each probe interval the node pings the next member of a shuffled
 * round-robin order; without an ack within the probe timeout it asks {@code k} others to probe for
 * it; without any ack by the next probe the member becomes suspect. A suspicion times out after a
 * period that scales with log10 of the cluster size and shrinks as other members confirm it; the
 * suspect refutes by raising its incarnation. A local health multiplier stretches this node's own
 * timers when it is the slow one. State changes spread piggybacked on probes and in small pushes,
 * each sent a bounded number of times.
 *
 * <p>Catalogs spread by Scuttlebutt ({@link CatalogState}): changes are piggybacked like membership
 * news, and a periodic push-pull exchange with a random member repairs whatever was missed. The
 * same exchange, sent to a dead member or a seed on a backoff schedule ({@link ReconnectList}),
 * heals partitions: each side learns the other declared it dead, refutes, and the refutations
 * spread.
 *
 * <p>Inputs are {@code on…} methods and {@link #join}, {@link #leave}, {@link #setCatalog}; outputs
 * are {@link #pollSend()}, {@link #pollEvent()} and {@link #nextDeadlineNanos()}. Time comes only
 * from {@code nowNanos} arguments (compared by difference, so any start value works) and randomness
 * only from the injected generator. Single-threaded: the driver owns the thread.
 */
public final class GossipCore {
  /** Most messages waiting in the outbox; the driver drains it after every call. */
  static final int MAX_OUTBOX = 8192;

  /** Most events waiting; older ones are dropped first if the driver does not drain them. */
  static final int MAX_EVENTS = 8192;

  private final GossipConfig config;
  private final NodeId selfId;
  private final ClaimAuthority authority;
  private final KeyRing keys;
  private final RandomGenerator random;
  private final MemberTable members;
  private final Prober prober = new Prober();
  private final BroadcastQueue broadcasts = new BroadcastQueue();
  private final CatalogState catalogs;
  private final ReconnectList reconnect;
  private final ArrayDeque<Outbound> outbox = new ArrayDeque<>();
  private final ArrayDeque<GossipEvent> events = new ArrayDeque<>();
  private final TreeSet<MemberTimer> memberTimers = new TreeSet<>();
  private final Member self;

  private long nextSeq = 1;
  private int localHealth;
  private long nextProbeNanos;
  private long nextGossipNanos;
  private long nextPushPullNanos;
  private long nextReconnectNanos;
  private boolean leaving;
  private long droppedMessages;
  private long syncReplies;
  private final java.util.EnumMap<ClaimRefusal, Long> refused =
      new java.util.EnumMap<>(ClaimRefusal.class);

  /** A member's pending suspicion expiry or dead-retention removal. */
  private record MemberTimer(long deadlineNanos, NodeId id, long seq)
      implements Comparable<MemberTimer> {
    @Override
    public int compareTo(MemberTimer o) {
      int c = Long.signum(deadlineNanos - o.deadlineNanos);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private long timerSeq;

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
    this.config = Objects.requireNonNull(config, "config");
    this.selfId = Objects.requireNonNull(selfId, "selfId");
    this.authority = Objects.requireNonNull(authority, "authority");
    this.random = Objects.requireNonNull(random, "random");
    this.keys = new KeyRing(authority);
    this.members = new MemberTable(selfId);
    this.self =
        new Member(
            selfId,
            selfAddress,
            generation,
            MemberState.ALIVE,
            signSelf(selfAddress, generation, false),
            nowNanos);
    members.addSelf(self);
    this.catalogs = new CatalogState(selfId, generation, authority, keys);
    if (authority.isSigning()) {
      Credential own = Credential.of(authority.ownCredential());
      if (own.isEmpty() || keys.admit(selfId, own) == null) {
        throw new IllegalArgumentException(
            "this node's own credential is refused for node id " + selfId);
      }
      broadcasts.add(catalogs.setLocalCredential(selfId, own));
    }
    this.reconnect = new ReconnectList(config);
    this.nextProbeNanos = nowNanos + random.nextLong(Math.max(1, config.probeIntervalNanos()));
    this.nextGossipNanos = nowNanos + config.gossipIntervalNanos();
    this.nextPushPullNanos =
        nowNanos + random.nextLong(Math.max(1, config.pushPullIntervalNanos()));
    this.nextReconnectNanos = nowNanos + config.reconnectIntervalNanos();
  }

  // ---------------------------------------------------------------- inputs

  /** Contacts the seeds with a push-pull sync, and keeps them on the reconnect list. */
  public void join(Collection<Endpoint> seeds, long nowNanos) {
    for (Endpoint seed : seeds) {
      if (!seed.equals(self.address)) {
        reconnect.addSeed(seed, nowNanos);
        send(seed, null, syncRequest());
      }
    }
  }

  /** Announces that this node leaves: LEFT goes to a few members directly and into gossip. */
  public void leave(long nowNanos) {
    leaving = true;
    if (self.incarnation == Long.MAX_VALUE) {
      return; // cannot sign a newer record; the others will find this node dead instead
    }
    self.incarnation++;
    self.signature = signSelf(self.address, self.incarnation, true);
    self.signedLeft = true;
    MemberUpdate left = self.toUpdate(selfId);
    broadcasts.add(left);
    for (Member m : members.randomReachable(Math.max(config.gossipFanout(), 4), null, random)) {
      send(m.address, m.id, new Gossip(List.of(left)));
    }
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
      if (members.get(gone) != null) {
        members.remove(gone);
        reconnect.remove(gone);
        event(new GossipEvent.MemberRemoved(gone));
      }
    }
    setCredential(selfId, own, nowNanos);
  }

  /** A copy of this node's own record, as a signed claim of itself. */
  private Signature signSelf(Endpoint address, long incarnation, boolean left) {
    return Signature.of(
        authority.sign(ClaimPayloads.memberRecord(selfId, address, incarnation, left)));
  }

  /** A message from member {@code from} at {@code fromAddress} (authenticated by the driver). */
  public void onMessage(NodeId from, Endpoint fromAddress, GossipMessage message, long nowNanos) {
    Member sender = members.get(from);
    if (sender != null) {
      sender.lastContactNanos = nowNanos;
    }
    reconnect.heardFrom(fromAddress);
    if (message instanceof Ping p) {
      merge(p.updates(), nowNanos);
      if (p.target().equals(selfId)) {
        send(fromAddress, from, new Ack(p.seq(), selfId, piggyback()));
      }
    } else if (message instanceof Ack a) {
      merge(a.updates(), nowNanos);
      onAck(a, nowNanos);
    } else if (message instanceof PingReq r) {
      merge(r.updates(), nowNanos);
      // Probe only a member this node knows, at the address it knows: a PingReq must not make
      // this node send to whatever address a peer names.
      Member target = members.get(r.target());
      if (target == null || target == self || !target.isReachable()) {
        return;
      }
      long seq = nextSeq++;
      long deadline = nowNanos + scaled(config.probeTimeoutNanos());
      if (prober.addRelay(seq, new Prober.Relay(from, fromAddress, r.seq(), deadline))) {
        send(target.address, target.id, new Ping(seq, target.id, piggyback()));
      }
    } else if (message instanceof Nack n) {
      Prober.Probe p = prober.current();
      if (p != null && p.seq == n.seq()) {
        p.nacksReceived++;
      }
    } else if (message instanceof Gossip g) {
      merge(g.updates(), nowNanos);
    } else if (message instanceof Sync s) {
      onSync(from, fromAddress, s, nowNanos);
    }
  }

  /** Runs whatever is due: probes, suspicion expiries, pushes, exchanges, reconnects. */
  public void onTimer(long nowNanos) {
    expireRelays(nowNanos);
    Prober.Probe p = prober.current();
    if (p != null && !p.indirectSent && nowNanos - p.indirectAtNanos >= 0) {
      sendIndirectProbes(p);
    }
    if (nowNanos - nextProbeNanos >= 0) {
      probe(nowNanos);
    }
    expireMemberTimers(nowNanos);
    if (nowNanos - nextGossipNanos >= 0) {
      nextGossipNanos = nowNanos + config.gossipIntervalNanos();
      pushGossip();
    }
    if (nowNanos - nextPushPullNanos >= 0) {
      nextPushPullNanos =
          nowNanos
              + GossipMath.pushPullIntervalNanos(
                  config.pushPullIntervalNanos(), members.reachableCount());
      List<Member> peer = members.randomReachable(1, null, random);
      if (!peer.isEmpty()) {
        send(peer.get(0).address, peer.get(0).id, syncRequest());
      }
    }
    if (nowNanos - nextReconnectNanos >= 0) {
      nextReconnectNanos = nowNanos + config.reconnectIntervalNanos();
      ReconnectList.Entry e = reconnect.nextDue(nowNanos, this::isReachableAddress, random);
      if (e != null) {
        send(e.address, e.id, syncRequest());
      }
    }
  }

  // ---------------------------------------------------------------- outputs

  /** The next message to send, or null. */
  public Outbound pollSend() {
    return outbox.poll();
  }

  /** The next event, or null. */
  public GossipEvent pollEvent() {
    return events.poll();
  }

  /** When {@link #onTimer} next has work, on the caller's clock. */
  public long nextDeadlineNanos() {
    long next = nextProbeNanos;
    next = earliest(next, nextPushPullNanos);
    if (!broadcasts.isEmpty()) {
      next = earliest(next, nextGossipNanos);
    }
    if (!reconnect.isEmpty()) {
      next = earliest(next, nextReconnectNanos);
    }
    Prober.Probe p = prober.current();
    if (p != null && !p.indirectSent) {
      next = earliest(next, p.indirectAtNanos);
    }
    long relay = prober.nextRelayDeadline(next);
    if (relay != Long.MAX_VALUE) {
      next = earliest(next, relay);
    }
    if (!memberTimers.isEmpty()) {
      next = earliest(next, memberTimers.first().deadlineNanos());
    }
    return next;
  }

  // ---------------------------------------------------------------- queries

  public NodeId id() {
    return selfId;
  }

  public long incarnation() {
    return self.incarnation;
  }

  public int localHealth() {
    return localHealth;
  }

  /** Messages dropped because the outbox was full. */
  /**
   * Push-pull replies received: past 0, this node has exchanged catalogs with a member at least
   * once (after a join, it knows what the seed knew).
   */
  public long syncReplies() {
    return syncReplies;
  }

  public long droppedMessages() {
    return droppedMessages;
  }

  /** Claims refused for {@code reason} since this core started. */
  public long refusedClaims(ClaimRefusal reason) {
    return refused.getOrDefault(reason, 0L);
  }

  /** A credential of {@code subject} that some owner's map carries, or null. */
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
              m == self));
    }
    return out;
  }

  /** Every owner's catalog (non-empty values), by owner then name. */
  public SortedMap<NodeId, SortedMap<String, CatalogValue>> catalogs() {
    SortedMap<NodeId, SortedMap<String, CatalogValue>> out = new java.util.TreeMap<>();
    catalogs.view().forEach((owner, values) -> out.put(owner, trusted(values)));
    return out;
  }

  /**
   * Every owner's catalog as relayed, versions this node does not trust included: what its peers
   * see, for status pages and tests.
   */
  public SortedMap<NodeId, SortedMap<String, CatalogValue>> relayedCatalogs() {
    return catalogs.view();
  }

  private SortedMap<String, CatalogValue> trusted(SortedMap<String, CatalogValue> values) {
    SortedMap<String, CatalogValue> out = new java.util.TreeMap<>();
    values.forEach(
        (name, value) -> {
          CatalogValue t = trusted(value);
          if (!t.versions().isEmpty()) {
            out.put(name, t);
          }
        });
    return out;
  }

  /** Whether this node's authority trusts {@code v}: it may win, be followed and be fetched. */
  public boolean isTrusted(HeldVersion v) {
    return authority.trusts(v.publisher(), v.root());
  }

  /** The versions of {@code value} this node's authority trusts. */
  private CatalogValue trusted(CatalogValue value) {
    List<HeldVersion> kept = new ArrayList<>(value.versions().size());
    for (HeldVersion v : value.versions()) {
      if (authority.trusts(v.publisher(), v.root())) {
        kept.add(v);
      }
    }
    return kept.size() == value.versions().size() ? value : new CatalogValue(kept);
  }

  /** The winning version of every name, over every catalog this node knows. */
  public SortedMap<String, Winners.Winner> winners() {
    return Winners.of(catalogs());
  }

  /** The Merkle root over an owner's catalog; equal digests mean equal catalogs. */
  public io.shoal.chunkstore.ChunkId catalogDigest(NodeId owner) {
    return catalogs.catalogDigest(owner);
  }

  /** Members on the reconnect list. */
  public List<NodeId> reconnectList() {
    return reconnect.deadIds();
  }

  // ---------------------------------------------------------------- probing

  private void probe(long nowNanos) {
    Prober.Probe previous = prober.finish();
    if (previous != null) {
      probeFailed(previous, nowNanos);
    }
    nextProbeNanos = nowNanos + scaled(config.probeIntervalNanos());
    if (leaving) {
      return;
    }
    NodeId target = prober.nextTarget(members, random);
    if (target == null) {
      return;
    }
    long seq = nextSeq++;
    prober.start(new Prober.Probe(target, seq, nowNanos + scaled(config.probeTimeoutNanos())));
    Member m = members.get(target);
    send(m.address, m.id, new Ping(seq, target, piggyback()));
  }

  private void sendIndirectProbes(Prober.Probe p) {
    p.indirectSent = true;
    Member target = members.get(p.target);
    if (target == null || !target.isReachable()) {
      return;
    }
    for (Member helper : members.randomReachable(config.indirectChecks(), p.target, random)) {
      send(helper.address, helper.id, new PingReq(p.seq, p.target, target.address, piggyback()));
      p.nacksExpected++;
    }
  }

  private void onAck(Ack a, long nowNanos) {
    Prober.Probe p = prober.current();
    if (p != null && p.seq == a.seq() && p.target.equals(a.target())) {
      prober.finish();
      localHealth = Math.max(0, localHealth - 1);
      Member m = members.get(a.target());
      if (m != null) {
        m.lastContactNanos = nowNanos;
      }
      return;
    }
    Prober.Relay relay = prober.takeRelay(a.seq());
    if (relay != null) {
      send(
          relay.requesterAddress(),
          relay.requester(),
          new Ack(relay.requesterSeq(), a.target(), piggyback()));
    }
  }

  private void probeFailed(Prober.Probe p, long nowNanos) {
    // Lifeguard: a failed probe, and each expected nack that never came, count against our
    // own health, which stretches our timers if we are the slow one.
    int missedNacks = Math.max(0, p.nacksExpected - p.nacksReceived);
    localHealth = Math.min(config.maxLocalHealth(), localHealth + 1 + (missedNacks > 0 ? 1 : 0));
    Member m = members.get(p.target);
    if (m != null && m.state == MemberState.ALIVE) {
      applyMember(
          new MemberUpdate(
              m.id, m.address, m.incarnation, MemberState.SUSPECT, selfId, m.signature),
          false,
          nowNanos);
    }
  }

  private void expireRelays(long nowNanos) {
    for (Prober.Relay r : prober.expiredRelays(nowNanos)) {
      send(r.requesterAddress(), r.requester(), new Nack(r.requesterSeq()));
    }
  }

  private long scaled(long nanos) {
    return nanos * (localHealth + 1);
  }

  // ---------------------------------------------------------------- merging state

  /**
   * Map entries first (they may carry the credentials that the member claims need), then members;
   * catalog changes are reported after the member changes, so a driver hears that an owner is up
   * before it hears what the owner holds.
   */
  private void merge(List<GossipUpdate> updates, long nowNanos) {
    List<GossipEvent> catalogEvents = new ArrayList<>();
    for (GossipUpdate u : updates) {
      if (u instanceof OwnerEntry e) {
        applyEntry(e, false, catalogEvents);
      }
    }
    for (GossipUpdate u : updates) {
      if (u instanceof MemberUpdate mu) {
        applyMember(mu, false, nowNanos);
      }
    }
    catalogEvents.forEach(this::event);
  }

  /**
   * Applies a claim about a member once its evidence checks out: the member's own signature of its
   * record at the claimed incarnation. From a push-pull exchange a DEAD claim counts only as a
   * suspicion, so a member the other side wrongly buried (a partition) gets to refute it.
   */
  private void applyMember(MemberUpdate u, boolean fromSync, long nowNanos) {
    if (u.id().equals(selfId)) {
      maybeRefute(u);
      return;
    }
    Member known = members.get(u.id());
    if ((known == null && u.state() != MemberState.ALIVE)
        || (known != null && u.incarnation() < known.incarnation)) {
      return; // nothing to learn, and nothing to check
    }
    if (!(known != null && known.hasEvidenceOf(u)) && !isSignedByMember(u)) {
      return;
    }
    MemberUpdate claim =
        fromSync && u.state() == MemberState.DEAD
            ? new MemberUpdate(
                u.id(),
                u.address(),
                u.incarnation(),
                MemberState.SUSPECT,
                u.reporter(),
                u.signature())
            : u;
    MemberTable.Outcome outcome = members.apply(claim, nowNanos, this::startSuspicion);
    if (outcome == MemberTable.Outcome.FULL) {
      refuse(ClaimRefusal.BOUNDS);
      return;
    }
    Member m = members.get(claim.id());
    switch (outcome) {
      case ADDED, CHANGED -> onStateChange(m, claim, nowNanos);
      case CONFIRMED -> {
        broadcasts.add(claim);
        memberTimers.add(new MemberTimer(m.suspicion.deadlineNanos(), m.id, timerSeq++));
      }
      default -> {}
    }
  }

  private void onStateChange(Member m, MemberUpdate claim, long nowNanos) {
    switch (m.state) {
      case ALIVE -> {
        reconnect.remove(m.id);
        broadcasts.add(m.toUpdate(m.id));
        event(new GossipEvent.MemberUp(m.id, m.address, m.incarnation));
      }
      case SUSPECT -> {
        broadcasts.add(m.toUpdate(claim.reporter()));
        memberTimers.add(new MemberTimer(m.suspicion.deadlineNanos(), m.id, timerSeq++));
        event(new GossipEvent.MemberSuspected(m.id, m.address));
      }
      case DEAD -> markedDead(m, claim.reporter(), nowNanos);
      case LEFT -> {
        reconnect.remove(m.id);
        broadcasts.add(m.toUpdate(m.id));
        memberTimers.add(new MemberTimer(nowNanos + config.deadRetentionNanos(), m.id, timerSeq++));
        event(new GossipEvent.MemberLeft(m.id, m.address));
      }
    }
  }

  private void markedDead(Member m, NodeId reporter, long nowNanos) {
    broadcasts.add(m.toUpdate(reporter));
    reconnect.addDead(m.id, m.address, nowNanos);
    memberTimers.add(new MemberTimer(nowNanos + config.deadRetentionNanos(), m.id, timerSeq++));
    event(new GossipEvent.MemberDown(m.id, m.address));
  }

  private Suspicion startSuspicion(long nowNanos, NodeId reporter) {
    long min =
        GossipMath.suspicionMinNanos(
            config.suspicionMult(), members.reachableCount(), config.probeIntervalNanos());
    long max = min * config.suspicionMaxTimeoutMult();
    return new Suspicion(nowNanos, min, max, Math.max(0, config.suspicionMult() - 2), reporter);
  }

  /** Whether the claim carries the member's signature of the record it names; counts refusals. */
  private boolean isSignedByMember(MemberUpdate u) {
    if (!authority.isSigning()) {
      return true;
    }
    ClaimAuthority.ClaimKey key = catalogs.keyOf(u.id());
    if (key == null) {
      refuse(ClaimRefusal.UNVERIFIABLE);
      return false;
    }
    byte[] record =
        ClaimPayloads.memberRecord(
            u.id(), u.address(), u.incarnation(), u.state() == MemberState.LEFT);
    if (!key.verify(record, u.signature().bytes())) {
      refuse(ClaimRefusal.FORGED);
      return false;
    }
    return true;
  }

  /**
   * Refutes a claim that this node is suspect, dead or elsewhere, at its current incarnation or at
   * one it reached in an earlier life (which only its own signature can show): the refutation
   * raises the incarnation past the claim's. A claim about an incarnation this node never signed is
   * refused, so no claim can push the incarnation to the end of its range.
   */
  private void maybeRefute(MemberUpdate u) {
    if (leaving || u.incarnation() < self.incarnation) {
      return;
    }
    if (!self.hasEvidenceOf(u) && !isSignedByMember(u)) {
      return;
    }
    boolean wrong =
        u.state() != MemberState.ALIVE
            || u.incarnation() > self.incarnation
            || !u.address().equals(self.address);
    if (!wrong || u.incarnation() == Long.MAX_VALUE) {
      return;
    }
    self.incarnation = u.incarnation() + 1;
    self.signature = signSelf(self.address, self.incarnation, false);
    self.signedLeft = false;
    localHealth = Math.min(config.maxLocalHealth(), localHealth + 1);
    broadcasts.add(self.toUpdate(selfId));
    event(new GossipEvent.Refuted(self.incarnation));
  }

  /**
   * Applies a map entry; a catalog change is added to {@code catalogEvents}. Returns false when the
   * entry was refused, which leaves a gap in what this node holds of the owner's map.
   */
  private boolean applyEntry(OwnerEntry e, boolean inOrder, List<GossipEvent> catalogEvents) {
    switch (catalogs.apply(e, inOrder)) {
      case CHANGED -> {
        broadcasts.add(e);
        if (e instanceof CatalogDelta d) {
          catalogEvents.add(
              new GossipEvent.CatalogChanged(d.owner(), d.name(), trusted(d.value())));
        }
        return true;
      }
      case FORGED -> refuse(ClaimRefusal.FORGED);
      case UNVERIFIABLE -> refuse(ClaimRefusal.UNVERIFIABLE);
      case FULL -> refuse(ClaimRefusal.BOUNDS);
      case UNCHANGED, STALE -> {
        return true;
      }
    }
    return false;
  }

  private void refuse(ClaimRefusal reason) {
    refused.merge(reason, 1L, Long::sum);
  }

  private void expireMemberTimers(long nowNanos) {
    while (!memberTimers.isEmpty() && nowNanos - memberTimers.first().deadlineNanos() >= 0) {
      MemberTimer t = memberTimers.pollFirst();
      Member m = members.get(t.id());
      if (m == null) {
        continue;
      }
      if (m.state == MemberState.SUSPECT && nowNanos - m.suspicion.deadlineNanos() >= 0) {
        members.declareDead(m, nowNanos);
        markedDead(m, selfId, nowNanos);
      } else if ((m.state == MemberState.DEAD || m.state == MemberState.LEFT)
          && nowNanos - (m.stateSinceNanos + config.deadRetentionNanos()) >= 0) {
        members.remove(m.id);
        catalogs.remove(m.id);
        event(new GossipEvent.MemberRemoved(m.id));
      }
    }
  }

  // ---------------------------------------------------------------- dissemination

  private List<GossipUpdate> piggyback() {
    return broadcasts.take(
        GossipConfig.MAX_PIGGYBACK_UPDATES,
        GossipConfig.MAX_PIGGYBACK_BYTES,
        GossipMath.retransmitLimit(config.retransmitMult(), members.reachableCount()));
  }

  private void pushGossip() {
    if (broadcasts.isEmpty()) {
      return;
    }
    for (Member m : members.randomReachable(config.gossipFanout(), null, random)) {
      List<GossipUpdate> updates = piggyback();
      if (updates.isEmpty()) {
        return;
      }
      send(m.address, m.id, new Gossip(updates));
    }
  }

  private Sync syncRequest() {
    return new Sync(
        Sync.Phase.REQUEST,
        memberSample(),
        catalogs.digest(GossipConfig.MAX_DIGEST_ENTRIES, random),
        catalogs.isDigestComplete(GossipConfig.MAX_DIGEST_ENTRIES),
        List.of());
  }

  private void onSync(NodeId from, Endpoint fromAddress, Sync s, long nowNanos) {
    // Entries come in ascending version per owner, so each accepted one raises what this node
    // holds of its owner's map, until one is refused: past that gap, the rest of the owner's
    // entries are applied without raising, and a later exchange fills the gap. Then members, then
    // the catalog changes, as in merge().
    Set<NodeId> gaps = new HashSet<>();
    List<GossipEvent> catalogEvents = new ArrayList<>();
    for (OwnerEntry e : s.deltas()) {
      if (!applyEntry(e, !gaps.contains(e.owner()), catalogEvents)) {
        gaps.add(e.owner());
      }
    }
    for (MemberUpdate u : s.members()) {
      applyMember(u, true, nowNanos);
    }
    catalogEvents.forEach(this::event);
    switch (s.phase()) {
      case REQUEST ->
          send(
              fromAddress,
              from,
              new Sync(
                  Sync.Phase.REPLY,
                  memberSample(),
                  catalogs.digest(GossipConfig.MAX_DIGEST_ENTRIES, random),
                  catalogs.isDigestComplete(GossipConfig.MAX_DIGEST_ENTRIES),
                  catalogs.deltasFor(
                      s.digest(), s.digestComplete(), GossipConfig.MAX_SYNC_DELTA_BYTES)));
      case REPLY -> {
        syncReplies++;
        send(
            fromAddress,
            from,
            new Sync(
                Sync.Phase.FINAL,
                List.of(self.toUpdate(selfId)),
                List.of(),
                false,
                catalogs.deltasFor(
                    s.digest(), s.digestComplete(), GossipConfig.MAX_SYNC_DELTA_BYTES)));
      }
      case FINAL -> {}
    }
  }

  /** This node's own record first, then up to {@link GossipConfig#MAX_SYNC_MEMBERS} others. */
  private List<MemberUpdate> memberSample() {
    List<MemberUpdate> out = new ArrayList<>();
    out.add(self.toUpdate(selfId));
    Collection<Member> chosen =
        members.size() <= GossipConfig.MAX_SYNC_MEMBERS
            ? members.all()
            : members.randomAny(GossipConfig.MAX_SYNC_MEMBERS - 1, random);
    for (Member m : chosen) {
      if (m != self) {
        out.add(
            m.toUpdate(
                m.state == MemberState.ALIVE || m.state == MemberState.LEFT ? m.id : selfId));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- plumbing

  private boolean isReachableAddress(Endpoint address) {
    for (Member m : members.all()) {
      if (m != self && m.isReachable() && m.address.equals(address)) {
        return true;
      }
    }
    return false;
  }

  private void send(Endpoint to, NodeId toId, GossipMessage message) {
    if (outbox.size() >= MAX_OUTBOX) {
      droppedMessages++;
      return;
    }
    outbox.add(new Outbound(to, toId, message));
  }

  private void event(GossipEvent e) {
    if (events.size() >= MAX_EVENTS) {
      events.poll();
    }
    events.add(e);
  }

  private static long earliest(long a, long b) {
    return b - a < 0 ? b : a;
  }
}
