package io.shoal.node.api;

/**
 * A request to remove snapshots from a running node's catalog, as {@code shoal rm} sends it.
 *
 * @param ref {@code NAME} (every version) or {@code NAME@VERSION}
 */
public record RmCall(String ref) {}
