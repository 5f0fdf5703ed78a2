package io.shoal.gossip;

import io.shoal.gossip.GossipMessage.Gossip;
import io.shoal.gossip.GossipMessage.Sync;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * How membership news and catalogs spread. Catalogs spread by Scuttlebutt ({@link CatalogState}):
 * changes are piggybacked like membership news, and a periodic push-pull exchange with a random
 * member repairs whatever was missed. The same exchange, sent to a dead member or a seed on a
 * backoff schedule ({@link ReconnectList}), heals partitions: each side learns the other declared
 * it dead, refutes, and the refutations spread.
 *
 * <p>This class piggybacks and pushes the broadcast queue, runs the push-pull exchanges and merges
 * what arrives: map entries first (they may carry the credentials that member claims need), then
 * members ({@link Membership}), then the catalog changes as events. Not thread-safe.
 */
final class Dissemination {
  private final GossipConfig config;
  private final Member self;
  private final MemberTable members;
  private final Membership membership;
  private final CatalogState catalogs;
  private final BroadcastQueue broadcasts;
  private final ReconnectList reconnect;
  private final GossipOutbox outbox;
  private final RefusedClaims refused;
  private final TrustFilter trust;
  private final RandomGenerator random;
  private long nextGossipNanos;
  private long nextPushPullNanos;
  private long nextReconnectNanos;
  private long syncReplies;

  /**
   * @param firstPushPullNanos when the first push-pull exchange goes out (a random phase, drawn by
   *     the caller)
   */
  Dissemination(
      GossipConfig config,
      MemberTable members,
      Membership membership,
      CatalogState catalogs,
      BroadcastQueue broadcasts,
      ReconnectList reconnect,
      GossipOutbox outbox,
      RefusedClaims refused,
      TrustFilter trust,
      RandomGenerator random,
      long nowNanos,
      long firstPushPullNanos) {
    this.config = config;
    this.self = membership.self();
    this.members = members;
    this.membership = membership;
    this.catalogs = catalogs;
    this.broadcasts = broadcasts;
    this.reconnect = reconnect;
    this.outbox = outbox;
    this.refused = refused;
    this.trust = trust;
    this.random = random;
    this.nextGossipNanos = nowNanos + config.gossipIntervalNanos();
    this.nextPushPullNanos = firstPushPullNanos;
    this.nextReconnectNanos = nowNanos + config.reconnectIntervalNanos();
  }

  /** Contacts the seeds with a push-pull sync, and keeps them on the reconnect list. */
  void join(Collection<Endpoint> seeds, long nowNanos) {
    for (Endpoint seed : seeds) {
      if (!seed.equals(self.address)) {
        reconnect.addSeed(seed, nowNanos);
        outbox.send(seed, null, syncRequest());
      }
    }
  }

  /** Updates to ride on an outgoing message, within the piggyback bounds. */
  List<GossipUpdate> piggyback() {
    return broadcasts.take(
        GossipConfig.MAX_PIGGYBACK_UPDATES,
        GossipConfig.MAX_PIGGYBACK_BYTES,
        GossipMath.retransmitLimit(config.retransmitMult(), members.reachableCount()));
  }

  /**
   * Map entries first (they may carry the credentials that the member claims need), then members;
   * catalog changes are reported after the member changes, so a driver hears that an owner is up
   * before it hears what the owner holds.
   */
  void merge(List<GossipUpdate> updates, long nowNanos) {
    List<GossipEvent> catalogEvents = new ArrayList<>();
    for (GossipUpdate u : updates) {
      if (u instanceof OwnerEntry e) {
        applyEntry(e, false, catalogEvents);
      }
    }
    for (GossipUpdate u : updates) {
      if (u instanceof MemberUpdate mu) {
        membership.apply(mu, false, nowNanos);
      }
    }
    catalogEvents.forEach(outbox::event);
  }

  void onSync(NodeId from, Endpoint fromAddress, Sync s, long nowNanos) {
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
      membership.apply(u, true, nowNanos);
    }
    catalogEvents.forEach(outbox::event);
    switch (s.phase()) {
      case REQUEST ->
          outbox.send(
              fromAddress,
              from,
              new Sync(
                  Sync.Phase.REPLY,
                  membership.sample(),
                  catalogs.digest(GossipConfig.MAX_DIGEST_ENTRIES, random),
                  catalogs.isDigestComplete(GossipConfig.MAX_DIGEST_ENTRIES),
                  catalogs.deltasFor(
                      s.digest(), s.digestComplete(), GossipConfig.MAX_SYNC_DELTA_BYTES)));
      case REPLY -> {
        syncReplies++;
        outbox.send(
            fromAddress,
            from,
            new Sync(
                Sync.Phase.FINAL,
                List.of(self.toUpdate(self.id)),
                List.of(),
                false,
                catalogs.deltasFor(
                    s.digest(), s.digestComplete(), GossipConfig.MAX_SYNC_DELTA_BYTES)));
      }
      case FINAL -> {}
    }
  }

  /** Pushes gossip, starts a push-pull exchange, and retries a dead member or seed, when due. */
  void onTimer(long nowNanos) {
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
        outbox.send(peer.get(0).address, peer.get(0).id, syncRequest());
      }
    }
    if (nowNanos - nextReconnectNanos >= 0) {
      nextReconnectNanos = nowNanos + config.reconnectIntervalNanos();
      ReconnectList.Entry e = reconnect.nextDue(nowNanos, this::isReachableAddress, random);
      if (e != null) {
        outbox.send(e.address, e.id, syncRequest());
      }
    }
  }

  /** The earlier of {@code next} and the push-pull, gossip and reconnect deadlines that apply. */
  long earliestDeadline(long next) {
    next = Deadlines.earliest(next, nextPushPullNanos);
    if (!broadcasts.isEmpty()) {
      next = Deadlines.earliest(next, nextGossipNanos);
    }
    if (!reconnect.isEmpty()) {
      next = Deadlines.earliest(next, nextReconnectNanos);
    }
    return next;
  }

  /** Push-pull replies received. */
  long syncReplies() {
    return syncReplies;
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
              new GossipEvent.CatalogChanged(d.owner(), d.name(), trust.trusted(d.value())));
          carry(d.name(), d.value().pin());
        }
        return true;
      }
      case FORGED -> refused.add(ClaimRefusal.FORGED);
      case UNVERIFIABLE -> refused.add(ClaimRefusal.UNVERIFIABLE);
      case FULL -> refused.add(ClaimRefusal.BOUNDS);
      case UNCHANGED, STALE -> {
        return true;
      }
    }
    return false;
  }

  /**
   * Carries a newer pin claim that this node honours in its own entry of the name, so the claim
   * spreads and outlives its pinner's presence; a claim this node's policy does not honour is
   * counted and only relayed.
   */
  void carry(String name, Pin pin) {
    if (pin == null) {
      return;
    }
    if (!trust.isTrusted(pin)) {
      refused.add(ClaimRefusal.UNTRUSTED_PIN);
      return;
    }
    catalogs.carryPin(name, pin).forEach(broadcasts::add);
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
      outbox.send(m.address, m.id, new Gossip(updates));
    }
  }

  private Sync syncRequest() {
    return new Sync(
        Sync.Phase.REQUEST,
        membership.sample(),
        catalogs.digest(GossipConfig.MAX_DIGEST_ENTRIES, random),
        catalogs.isDigestComplete(GossipConfig.MAX_DIGEST_ENTRIES),
        List.of());
  }

  private boolean isReachableAddress(Endpoint address) {
    for (Member m : members.all()) {
      if (m != self && m.isReachable() && m.address.equals(address)) {
        return true;
      }
    }
    return false;
  }
}
