package io.shoal.node.api;

/**
 * A request to write a snapshot out on this machine.
 *
 * @param ref {@code NAME} or {@code NAME@VERSION}
 * @param path absolute output path
 * @param force replace an existing output
 * @param sync fsync before the output appears
 */
public record GetCall(String ref, String path, boolean force, boolean sync) {}
