package io.shoal.gossip.views;

/** A broadcast message this node received for the first time. The payload is shared, read-only. */
@SuppressWarnings("ArrayRecordComponent") // shared, never modified; no equality is used
public record Delivery(long id, byte[] payload) {}
