package io.shoal.gossip.views;

import io.shoal.gossip.NodeId;

/** A message for the driver to send to {@code to}. */
public record ViewSend(NodeId to, ViewMessage message) {}
