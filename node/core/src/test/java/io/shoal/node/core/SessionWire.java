package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.FetchCore.Outbound;
import io.shoal.node.core.TransferMessage.Cancel;
import io.shoal.node.core.TransferMessage.ChunkRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The peers' side of a {@link TransferSession} under test: every request it sent that no reply,
 * refusal or cancel has ended yet, by id, in the order sent; and every event it reported.
 */
final class SessionWire {
  /** A request the session sent and is still owed an answer for, as the peer sees it. */
  record Sent(long requestId, NodeId peer, ChunkId id) {}

  final TransferSession session;
  final Map<Long, Sent> open = new LinkedHashMap<>();
  final List<Outbound> sent = new ArrayList<>();
  final List<TransferEvent> events = new ArrayList<>();

  SessionWire(TransferSession session) {
    this.session = session;
  }

  /** Takes the session's sends and events. */
  SessionWire pump() {
    for (Outbound o; (o = session.pollSend()) != null; ) {
      sent.add(o);
      if (o.message() instanceof ChunkRequest r) {
        open.put(r.requestId(), new Sent(r.requestId(), o.peer(), r.id()));
      } else if (o.message() instanceof Cancel c) {
        open.remove(c.requestId());
      }
    }
    for (TransferEvent e; (e = session.pollEvent()) != null; ) {
      events.add(e);
    }
    return this;
  }

  List<Sent> openTo(NodeId peer) {
    return open.values().stream().filter(s -> s.peer().equals(peer)).toList();
  }

  /** Answers {@code s} with a chunk of {@code bytes} that did or did not verify. */
  void reply(Sent s, boolean verified, int bytes, long nowNanos) {
    open.remove(s.requestId());
    session.onChunk(s.peer(), s.requestId(), verified, bytes, nowNanos);
    pump();
  }

  boolean askedAnything(NodeId peer) {
    return sent.stream()
        .anyMatch(
            o ->
                o.peer().equals(peer)
                    && (o.message() instanceof ChunkRequest
                        || o.message() instanceof TransferMessage.HaveQuery));
  }
}
