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

  private final Network net;
  private final Flows flows;
  private final ChunkUniverse universe;
  private final RealPayload real;
  private final Cluster cluster;
  private final EventQueue queue;
  private final NodeTimers timers;
  private final TraceHash trace;

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
    SimNode to = cluster.byAddress(o.to());
    if (to == null || net.drops()) {
      return;
    }
    Endpoint fromAddress = from.address;
    GossipMessage m = o.message();
    deliver(
        from,
        to,
        m,
        () -> {
          if (to.address.equals(o.to())) {
            to.onGossip(from.id, fromAddress, m, queue.now());
          }
        });
  }

  void sendTransfer(SimNode from, NodeId toId, TransferMessage m) {
    SimNode to = cluster.byId(toId);
    if (to != null) {
      deliver(from, to, m, () -> to.onTransfer(from.id, m, queue.now()));
    }
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
   * Hands {@code message} to {@code to} after the link's latency, unless either end crashed (or
   * restarted) meanwhile or a partition cut the link.
   */
  private void deliver(SimNode from, SimNode to, Object message, Runnable handler) {
    long toGeneration = to.generation;
    long fromGeneration = from.generation;
    queue.at(
        queue.now() + net.latencyNanos(from.index, to.index),
        () -> {
          if (to.up
              && from.up
              && to.generation == toGeneration
              && from.generation == fromGeneration
              && !net.blocked(from.index, to.index)) {
            trace.fold(to.index);
            trace.fold(message.getClass().getSimpleName().hashCode());
            handler.run();
            timers.reschedule(to);
          }
        });
  }
}
