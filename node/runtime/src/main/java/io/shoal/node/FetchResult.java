package io.shoal.node;

import java.util.List;

/**
 * What a fetch did.
 *
 * @param name snapshot name
 * @param version version
 * @param root snapshot id, hex
 * @param sizeBytes the snapshot's size
 * @param fetchedBytes data bytes fetched (the rest was already in the store)
 * @param receivedBytes chunk bytes received on the wire, duplicates and compression included
 * @param chunksFetched chunks fetched, metadata included
 * @param seconds time taken
 * @param peers peers that served chunks
 * @param bannedPeers peers banned for bad chunks
 */
public record FetchResult(
    String name,
    long version,
    String root,
    long sizeBytes,
    long fetchedBytes,
    long receivedBytes,
    long chunksFetched,
    double seconds,
    int peers,
    List<String> bannedPeers) {}
