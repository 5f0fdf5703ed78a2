package io.shoal.gossip;

import java.util.List;
import java.util.Objects;

/**
 * The messages gossip cores exchange. The transport adds the sender's authenticated id and address;
 * a message itself names only what the receiver needs. Every list is bounded by the sender (see
 * {@link GossipConfig}) and again by the decoder.
 */
public sealed interface GossipMessage {

  /** A direct probe of {@code target}; answered with an {@link Ack} of the same sequence. */
  record Ping(long seq, NodeId target, List<GossipUpdate> updates) implements GossipMessage {
    public Ping {
      Objects.requireNonNull(target, "target");
      updates = List.copyOf(updates);
    }
  }

  /** The answer to a {@link Ping}; {@code target} is who was probed (for relayed probes). */
  record Ack(long seq, NodeId target, List<GossipUpdate> updates) implements GossipMessage {
    public Ack {
      Objects.requireNonNull(target, "target");
      updates = List.copyOf(updates);
    }
  }

  /**
   * Asks the receiver to probe {@code target} on the sender's behalf and relay the {@link Ack}
   * (SWIM's indirect probe).
   */
  record PingReq(long seq, NodeId target, Endpoint targetAddress, List<GossipUpdate> updates)
      implements GossipMessage {
    public PingReq {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(targetAddress, "targetAddress");
      updates = List.copyOf(updates);
    }
  }

  /**
   * Lifeguard's negative acknowledgement: the relay reached its deadline without an answer from the
   * target, which tells the requester its own network is fine.
   */
  record Nack(long seq) implements GossipMessage {}

  /** Updates pushed without a probe, to spread news faster than the probe rate. */
  record Gossip(List<GossipUpdate> updates) implements GossipMessage {
    public Gossip {
      updates = List.copyOf(updates);
    }
  }

  /**
   * One step of a push-pull anti-entropy exchange: REQUEST (members and digest), REPLY (members,
   * digest and the deltas the requester lacks), FINAL (the requester's own record and the deltas
   * the replier lacks).
   *
   * @param phase which step
   * @param members member records: the sender's own first, then a bounded sample
   * @param digest what the sender has of each owner's catalog
   * @param digestComplete whether the digest lists every owner the sender knows
   * @param deltas map entries the receiver lacks, oldest first per owner
   */
  record Sync(
      Phase phase,
      List<MemberUpdate> members,
      List<OwnerDigest> digest,
      boolean digestComplete,
      List<OwnerEntry> deltas)
      implements GossipMessage {
    public Sync {
      Objects.requireNonNull(phase, "phase");
      members = List.copyOf(members);
      digest = List.copyOf(digest);
      deltas = List.copyOf(deltas);
    }

    /** The steps of an exchange. */
    public enum Phase {
      REQUEST,
      REPLY,
      FINAL
    }
  }
}
