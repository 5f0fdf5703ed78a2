package io.shoal.api;

/**
 * Where a restore stands, as its listener sees it.
 *
 * @param stage {@code "resolving"} (finding the version), {@code "metadata"} (fetching the
 *     snapshot's index), {@code "data"} (fetching chunks), {@code "writing"} (writing the files
 *     out), or {@code "done"}
 * @param doneBytes bytes verified so far
 * @param totalBytes bytes to fetch, or 0 while unknown; a version the node holds fetches none
 * @param bytesPerSecond the recent fetch rate
 * @param peers peers the chunks come from
 */
public record RestoreProgress(
    String stage, long doneBytes, long totalBytes, double bytesPerSecond, int peers) {}
