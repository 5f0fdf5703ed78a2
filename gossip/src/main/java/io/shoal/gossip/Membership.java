package io.shoal.gossip;

import io.shoal.gossip.GossipMessage.Gossip;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * Claims about members and this node's answers to them, after SWIM's suspicion mechanism (Das,
 * Gupta and Motivala, 2002, section 4.2) with Lifeguard's suspicion timeouts (Dadgar, Phillips and
 * Currey, 2018): a claim is applied only with the member's own signature of the record it names; a
 * suspect becomes dead when its suspicion times out (sooner as other members confirm it), and a
 * dead or departed member is forgotten after a retention period. A claim that this node is suspect,
 * dead or elsewhere is refuted by raising its incarnation past the claim's. Every change goes to
 * the broadcast queue and, as an event, to the driver. Not thread-safe.
 */
final class Membership {
  /** A member's pending suspicion expiry or dead-retention removal. */
  private record MemberTimer(long deadlineNanos, NodeId id, long seq)
      implements Comparable<MemberTimer> {
    @Override
    public int compareTo(MemberTimer o) {
      int c = Long.signum(deadlineNanos - o.deadlineNanos);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final GossipConfig config;
  private final NodeId selfId;
  private final Member self;
  private final ClaimAuthority authority;
  private final MemberTable members;
  private final CatalogState catalogs;
  private final BroadcastQueue broadcasts;
  private final ReconnectList reconnect;
  private final GossipOutbox outbox;
  private final LocalHealth health;
  private final RefusedClaims refused;
  private final RandomGenerator random;
  private final TreeSet<MemberTimer> memberTimers = new TreeSet<>();
  private long timerSeq;
  private boolean leaving;

  /**
   * @param self this node's record, already in {@code members}
   * @param catalogs where members' keys come from, and whose owners go with their members
   */
  Membership(
      GossipConfig config,
      Member self,
      ClaimAuthority authority,
      MemberTable members,
      CatalogState catalogs,
      BroadcastQueue broadcasts,
      ReconnectList reconnect,
      GossipOutbox outbox,
      LocalHealth health,
      RefusedClaims refused,
      RandomGenerator random) {
    this.config = config;
    this.selfId = self.id;
    this.self = self;
    this.authority = authority;
    this.members = members;
    this.catalogs = catalogs;
    this.broadcasts = broadcasts;
    this.reconnect = reconnect;
    this.outbox = outbox;
    this.health = health;
    this.refused = refused;
    this.random = random;
  }

  /** This node's signature of its own record at {@code incarnation}: ALIVE, or LEFT. */
  static Signature signRecord(
      ClaimAuthority authority,
      NodeId selfId,
      Endpoint address,
      long incarnation,
      boolean left,
      String zone) {
    return Signature.of(
        authority.sign(ClaimPayloads.memberRecord(selfId, address, incarnation, left, zone)));
  }

  Member self() {
    return self;
  }

  /** Whether this node announced that it leaves: it neither probes nor refutes any more. */
  boolean isLeaving() {
    return leaving;
  }

  /** Announces that this node leaves: LEFT goes to a few members directly and into gossip. */
  void leave() {
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
      outbox.send(m.address, m.id, new Gossip(List.of(left)));
    }
  }

  /** Forgets a member whose credential the authority now refuses. */
  void forget(NodeId gone) {
    if (members.get(gone) != null) {
      members.remove(gone);
      reconnect.remove(gone);
      outbox.event(new GossipEvent.MemberRemoved(gone));
    }
  }

  /** This node's probe of {@code target} failed: an alive target becomes suspect. */
  void suspectUnanswered(NodeId target, long nowNanos) {
    Member m = members.get(target);
    if (m != null && m.state == MemberState.ALIVE) {
      apply(
          new MemberUpdate(
              m.id, m.address, m.incarnation, MemberState.SUSPECT, selfId, m.signature, m.zone),
          false,
          nowNanos);
    }
  }

  /**
   * Applies a claim about a member once its evidence checks out: the member's own signature of its
   * record at the claimed incarnation. From a push-pull exchange a DEAD claim counts only as a
   * suspicion, so a member the other side wrongly buried (a partition) gets to refute it.
   */
  void apply(MemberUpdate u, boolean fromSync, long nowNanos) {
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
                u.signature(),
                u.zone())
            : u;
    MemberTable.Outcome outcome = members.apply(claim, nowNanos, this::startSuspicion);
    if (outcome == MemberTable.Outcome.FULL) {
      refused.add(ClaimRefusal.BOUNDS);
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

  /** Declares dead the suspects whose suspicion timed out, and forgets expired dead members. */
  void expireTimers(long nowNanos) {
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
        outbox.event(new GossipEvent.MemberRemoved(m.id));
      }
    }
  }

  /** The earlier of {@code next} and the first member timer. */
  long earliestTimer(long next) {
    return memberTimers.isEmpty()
        ? next
        : Deadlines.earliest(next, memberTimers.first().deadlineNanos());
  }

  /** This node's own record first, then up to {@link GossipConfig#MAX_SYNC_MEMBERS} others. */
  List<MemberUpdate> sample() {
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

  private void onStateChange(Member m, MemberUpdate claim, long nowNanos) {
    switch (m.state) {
      case ALIVE -> {
        reconnect.remove(m.id);
        broadcasts.add(m.toUpdate(m.id));
        outbox.event(new GossipEvent.MemberUp(m.id, m.address, m.incarnation, m.zone));
      }
      case SUSPECT -> {
        broadcasts.add(m.toUpdate(claim.reporter()));
        memberTimers.add(new MemberTimer(m.suspicion.deadlineNanos(), m.id, timerSeq++));
        outbox.event(new GossipEvent.MemberSuspected(m.id, m.address));
      }
      case DEAD -> markedDead(m, claim.reporter(), nowNanos);
      case LEFT -> {
        reconnect.remove(m.id);
        broadcasts.add(m.toUpdate(m.id));
        memberTimers.add(new MemberTimer(nowNanos + config.deadRetentionNanos(), m.id, timerSeq++));
        outbox.event(new GossipEvent.MemberLeft(m.id, m.address));
      }
    }
  }

  private void markedDead(Member m, NodeId reporter, long nowNanos) {
    broadcasts.add(m.toUpdate(reporter));
    reconnect.addDead(m.id, m.address, nowNanos);
    memberTimers.add(new MemberTimer(nowNanos + config.deadRetentionNanos(), m.id, timerSeq++));
    outbox.event(new GossipEvent.MemberDown(m.id, m.address));
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
      refused.add(ClaimRefusal.UNVERIFIABLE);
      return false;
    }
    byte[] record =
        ClaimPayloads.memberRecord(
            u.id(), u.address(), u.incarnation(), u.state() == MemberState.LEFT, u.zone());
    if (!key.verify(record, u.signature().bytes())) {
      refused.add(ClaimRefusal.FORGED);
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
            || !u.address().equals(self.address)
            || !u.zone().equals(self.zone);
    if (!wrong || u.incarnation() == Long.MAX_VALUE) {
      return;
    }
    self.incarnation = u.incarnation() + 1;
    self.signature = signSelf(self.address, self.incarnation, false);
    self.signedLeft = false;
    health.refuted();
    broadcasts.add(self.toUpdate(selfId));
    outbox.event(new GossipEvent.Refuted(self.incarnation));
  }

  private Signature signSelf(Endpoint address, long incarnation, boolean left) {
    return signRecord(authority, selfId, address, incarnation, left, self.zone);
  }
}
