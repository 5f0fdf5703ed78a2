package io.shoal.node.api;

/**
 * A garbage collection request, as {@code shoal gc} sends it to a running node.
 *
 * @param keep keep only the newest this many versions of each name first, or null to keep all
 */
public record GcCall(Integer keep) {}
