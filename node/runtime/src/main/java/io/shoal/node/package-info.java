/**
 * A running shoal node: it owns a data directory (store, catalog, node id), runs the gossip core on
 * a Netty event loop, serves peers and the HTTP API. The protocol cores live elsewhere ({@code
 * io.shoal.gossip}, {@code io.shoal.node.core}); this package only drives them.
 */
package io.shoal.node;
