package io.shoal.gossip;

import java.util.ArrayDeque;

/**
 * What a {@link GossipCore} hands its driver: messages to send and events to report, each in a
 * bounded queue the driver drains after every call. Not thread-safe.
 */
final class GossipOutbox {
  /** Most messages waiting in the outbox; the driver drains it after every call. */
  static final int MAX_OUTBOX = 8192;

  /** Most events waiting; older ones are dropped first if the driver does not drain them. */
  static final int MAX_EVENTS = 8192;

  private final ArrayDeque<Outbound> outbox = new ArrayDeque<>();
  private final ArrayDeque<GossipEvent> events = new ArrayDeque<>();
  private long droppedMessages;

  /** Queues a message; drops (and counts) it when the outbox is full. */
  void send(Endpoint to, NodeId toId, GossipMessage message) {
    if (outbox.size() >= MAX_OUTBOX) {
      droppedMessages++;
      return;
    }
    outbox.add(new Outbound(to, toId, message));
  }

  /** Queues an event; drops the oldest when the queue is full. */
  void event(GossipEvent e) {
    if (events.size() >= MAX_EVENTS) {
      events.poll();
    }
    events.add(e);
  }

  Outbound pollSend() {
    return outbox.poll();
  }

  GossipEvent pollEvent() {
    return events.poll();
  }

  /** Messages dropped because the outbox was full. */
  long droppedMessages() {
    return droppedMessages;
  }
}
