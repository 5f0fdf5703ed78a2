package io.shoal.node.api;

/**
 * A pin or unpin request, as {@code shoal pin NAME@VERSION} and {@code shoal unpin NAME} send it to
 * a running node ({@code POST /pin}, {@code POST /unpin}).
 *
 * @param name the snapshot name
 * @param version the version to pin; ignored by an unpin
 */
public record PinCall(String name, Long version) {}
