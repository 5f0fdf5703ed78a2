package io.shoal.sim;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Outbound;
import io.shoal.node.core.TransferMessage;
import java.nio.ByteBuffer;

/**
 * The simulated wire between nodes: control messages arrive after the link's latency unless a
 * datagram is lost (gossip only), a partition cuts the link or either end crashed meanwhile; chunks
 * travel as flows that share each node's upload and download ({@link Flows}), then cross the link's
 * latency. Latency, loss and partitions are the {@link Network}'s. Not thread-safe.
 */
final class SimWire {
  /** A chunk on the wire: who asked, which request, which chunk, whether its bytes are bad. */
  private record ChunkPayload(
      SimNode from, SimNode to, long requestId, int chunk, boolean bad, ByteBuffer bytes) {}

  /** What the trace folds for a message's kind: the hash of its class's simple name. */
  private static final ClassValue<Long> MESSAGE_KIND =
      new ClassValue<>() {
        @Override
        protected Long computeValue(Class<?> type) {
          return (long) type.getSimpleName().hashCode();
        }
      };

  private final Network net;
  private final Flows flows;
  private final ChunkUniverse universe;
  private final RealPayload real;
  private final Cluster cluster;
  private final EventQueue queue;
  private final NodeTimers timers;
  private final TraceHash trace;
  private final MessageCost cost = new MessageCost();

  /**
   * @param real real payloads, or null for virtual ones
   */
  SimWire(
      Network net,
      Flows flows,
      ChunkUniverse universe,
      RealPayload real,
      Cluster cluster,
      EventQueue queue,
      NodeTimers timers,
      TraceHash trace) {
    this.net = net;
    this.flows = flows;
    this.universe = universe;
    this.real = real;
    this.cluster = cluster;
    this.queue = queue;
    this.timers = timers;
    this.trace = trace;
  }

  /** A gossip datagram, to whichever node runs at the address now (and still does on arrival). */
  void sendGossip(SimNode from, Outbound o) {
    cost.gossip(o.message());
    SimNode to = cluster.byAddress(o.to());
    if (to == null || net.drops()) {
      return;
    }
    deliver(new Delivery(from, to, o.message(), o.to()));
  }

  void sendTransfer(SimNode from, NodeId toId, TransferMessage m) {
    cost.transfer(m);
    SimNode to = cluster.byId(toId);
    if (to != null) {
      deliver(new Delivery(from, to, m, null));
    }
  }

  /** What the control messages sent so far cost. */
  MessageCost cost() {
    return cost;
  }

  /** Whether node {@code n}'s link can take another chunk now. */
  boolean canSend(SimNode n) {
    return flows.hasRoom(n.index);
  }

  /** Puts a chunk on the wire as a flow; a receiver that is down takes nothing. */
  void sendChunk(SimNode from, NodeId toId, long requestId, int chunk, boolean corrupt) {
    SimNode to = cluster.byId(toId);
    if (to == null || !to.up) {
      from.onSent(toId, 0, queue.now());
      return;
    }
    ByteBuffer bytes =
        real == null ? null : RealPayload.outgoing(from.store, universe.id(chunk), corrupt);
    flows.send(
        from.index,
        to.index,
        universe.size(chunk),
        new ChunkPayload(from, to, requestId, chunk, corrupt, bytes),
        queue.now());
  }

  /** A chunk's flow ended: the sender hears it went, the receiver gets it after the latency. */
  void onFlowDone(Flows.Flow f, long nowNanos) {
    ChunkPayload p = (ChunkPayload) f.payload;
    trace.fold(0xF10L + p.to.index);
    trace.fold(p.requestId);
    SimNode from = p.from;
    SimNode to = p.to;
    from.onSent(to.id, (int) f.bytes, queue.now());
    timers.reschedule(from);
    if (net.blocked(from.index, to.index)) {
      return; // the connection broke under the partition: the bytes were wasted
    }
    long toGeneration = to.generation;
    queue.at(
        queue.now() + net.latencyNanos(from.index, to.index),
        () -> {
          if (to.up && to.generation == toGeneration) {
            to.onChunk(from.id, p.requestId, p.chunk, p.bad, p.bytes, queue.now());
            timers.reschedule(to);
          }
        });
  }

  /**
   * Hands the message to its receiver after the link's latency, unless either end crashed (or
   * restarted) meanwhile or a partition cut the link.
   */
  private void deliver(Delivery d) {
    queue.at(queue.now() + net.latencyNanos(d.from.index, d.to.index), d);
  }

  /**
   * A control message on its way, and what its arrival checks: one object per message (the event
   * itself), as many messages are in flight at once in a large swarm.
   */
  private final class Delivery implements Runnable {
    private final SimNode from;
    private final SimNode to;
    private final long fromGeneration;
    private final long toGeneration;
    private final Object message;

    /** The gossip datagram's address, which the receiver must still hold; null for transfers. */
    private final Endpoint toAddress;

    /** The sender's address when it sent (gossip). */
    private final Endpoint fromAddress;

    Delivery(SimNode from, SimNode to, Object message, Endpoint toAddress) {
      this.from = from;
      this.to = to;
      this.fromGeneration = from.generation;
      this.toGeneration = to.generation;
      this.message = message;
      this.toAddress = toAddress;
      this.fromAddress = from.address;
    }

    @Override
    public void run() {
      if (!to.up
          || !from.up
          || to.generation != toGeneration
          || from.generation != fromGeneration
          || net.blocked(from.index, to.index)) {
        return;
      }
      trace.fold(to.index);
      trace.fold(MESSAGE_KIND.get(message.getClass()));
      long now = queue.now();
      if (toAddress == null) {
        to.onTransfer(from.id, (TransferMessage) message, now);
      } else if (to.address.equals(toAddress)) {
        to.onGossip(from.id, fromAddress, (GossipMessage) message, now);
      }
      timers.reschedule(to);
    }
  }
}
