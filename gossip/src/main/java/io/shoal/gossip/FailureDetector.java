package io.shoal.gossip;

import io.shoal.gossip.GossipMessage.Ack;
import io.shoal.gossip.GossipMessage.Nack;
import io.shoal.gossip.GossipMessage.Ping;
import io.shoal.gossip.GossipMessage.PingReq;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Failure detection after SWIM (Das, Gupta and Motivala, 2002) with the Lifeguard refinements
 * (Dadgar, Phillips and Currey, 2018): each probe interval the node pings the next member of a
 * shuffled round-robin order ({@link Prober}); without an ack within the probe timeout it asks
 * {@code k} others to probe for it; without any ack by the next probe the member becomes suspect
 * ({@link Membership}). A suspicion times out after a period that scales with log10 of the cluster
 * size and shrinks as other members confirm it; the suspect refutes by raising its incarnation. A
 * local health multiplier ({@link LocalHealth}) stretches this node's own timers when it is the
 * slow one. State changes spread piggybacked on probes and in small pushes ({@link Dissemination}),
 * each sent a bounded number of times.
 *
 * <p>This class runs this node's probes, answers others' probes and relays indirect ones. Not
 * thread-safe.
 */
final class FailureDetector {
  private final GossipConfig config;
  private final MemberTable members;
  private final Member self;
  private final Membership membership;
  private final Dissemination dissemination;
  private final LocalHealth health;
  private final GossipOutbox outbox;
  private final RandomGenerator random;
  private final Prober prober = new Prober();
  private long nextSeq = 1;
  private long nextProbeNanos;

  /**
   * @param firstProbeNanos when the first probe goes out (a random phase, drawn by the caller)
   */
  FailureDetector(
      GossipConfig config,
      MemberTable members,
      Membership membership,
      Dissemination dissemination,
      LocalHealth health,
      GossipOutbox outbox,
      RandomGenerator random,
      long firstProbeNanos) {
    this.config = config;
    this.members = members;
    this.self = membership.self();
    this.membership = membership;
    this.dissemination = dissemination;
    this.health = health;
    this.outbox = outbox;
    this.random = random;
    this.nextProbeNanos = firstProbeNanos;
  }

  /** A ping: acked when it is for this node. */
  void onPing(NodeId from, Endpoint fromAddress, Ping p) {
    if (p.target().equals(self.id)) {
      outbox.send(fromAddress, from, new Ack(p.seq(), self.id, piggyback()));
    }
  }

  /** An ack: ends this node's probe, or is passed on to the member a relayed probe was for. */
  void onAck(Ack a, long nowNanos) {
    Prober.Probe p = prober.current();
    if (p != null && p.seq == a.seq() && p.target.equals(a.target())) {
      prober.finish();
      health.probeSucceeded();
      Member m = members.get(a.target());
      if (m != null) {
        m.lastContactNanos = nowNanos;
      }
      return;
    }
    Prober.Relay relay = prober.takeRelay(a.seq());
    if (relay != null) {
      outbox.send(
          relay.requesterAddress(),
          relay.requester(),
          new Ack(relay.requesterSeq(), a.target(), piggyback()));
    }
  }

  /** A request to probe a member for another. */
  void onPingReq(NodeId from, Endpoint fromAddress, PingReq r, long nowNanos) {
    // Probe only a member this node knows, at the address it knows: a PingReq must not make
    // this node send to whatever address a peer names.
    Member target = members.get(r.target());
    if (target == null || target == self || !target.isReachable()) {
      return;
    }
    long seq = nextSeq++;
    long deadline = nowNanos + health.scaled(config.probeTimeoutNanos());
    if (prober.addRelay(seq, new Prober.Relay(from, fromAddress, r.seq(), deadline))) {
      outbox.send(target.address, target.id, new Ping(seq, target.id, piggyback()));
    }
  }

  /** A helper could not reach the member of this node's probe. */
  void onNack(Nack n) {
    Prober.Probe p = prober.current();
    if (p != null && p.seq == n.seq()) {
      p.nacksReceived++;
    }
  }

  /** Nacks for expired relays, indirect probes, and the next probe, when due. */
  void onTimer(long nowNanos) {
    for (Prober.Relay r : prober.expiredRelays(nowNanos)) {
      outbox.send(r.requesterAddress(), r.requester(), new Nack(r.requesterSeq()));
    }
    Prober.Probe p = prober.current();
    if (p != null && !p.indirectSent && nowNanos - p.indirectAtNanos >= 0) {
      sendIndirectProbes(p);
    }
    if (nowNanos - nextProbeNanos >= 0) {
      probe(nowNanos);
    }
  }

  long nextProbeNanos() {
    return nextProbeNanos;
  }

  /** The earlier of {@code next} and the indirect-probe and relay deadlines. */
  long earliestDeadline(long next) {
    Prober.Probe p = prober.current();
    if (p != null && !p.indirectSent) {
      next = Deadlines.earliest(next, p.indirectAtNanos);
    }
    long relay = prober.nextRelayDeadline(next);
    if (relay != Long.MAX_VALUE) {
      next = Deadlines.earliest(next, relay);
    }
    return next;
  }

  private void probe(long nowNanos) {
    Prober.Probe previous = prober.finish();
    if (previous != null) {
      // Lifeguard: a failed probe, and each expected nack that never came, count against our
      // own health, which stretches our timers if we are the slow one.
      health.probeFailed(previous.nacksExpected, previous.nacksReceived);
      membership.suspectUnanswered(previous.target, nowNanos);
    }
    nextProbeNanos = nowNanos + health.scaled(config.probeIntervalNanos());
    if (membership.isLeaving()) {
      return;
    }
    NodeId target = prober.nextTarget(members, random);
    if (target == null) {
      return;
    }
    long seq = nextSeq++;
    prober.start(
        new Prober.Probe(target, seq, nowNanos + health.scaled(config.probeTimeoutNanos())));
    Member m = members.get(target);
    outbox.send(m.address, m.id, new Ping(seq, target, piggyback()));
  }

  private void sendIndirectProbes(Prober.Probe p) {
    p.indirectSent = true;
    Member target = members.get(p.target);
    if (target == null || !target.isReachable()) {
      return;
    }
    for (Member helper : members.randomReachable(config.indirectChecks(), p.target, random)) {
      outbox.send(
          helper.address, helper.id, new PingReq(p.seq, p.target, target.address, piggyback()));
      p.nacksExpected++;
    }
  }

  private List<GossipUpdate> piggyback() {
    return dissemination.piggyback();
  }
}
