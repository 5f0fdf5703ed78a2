package io.shoal.gossip;

import java.util.Objects;

/**
 * A message the core wants sent.
 *
 * @param to the address to send it to
 * @param toId the member expected there, or null when unknown (a seed)
 * @param message the message
 */
public record Outbound(Endpoint to, NodeId toId, GossipMessage message) {
  public Outbound {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(message, "message");
  }
}
