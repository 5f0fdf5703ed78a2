/**
 * Partial-view membership and tree broadcast for large clusters, as one sans-IO state machine,
 * {@link io.shoal.gossip.views.ViewCore}: HyParView (Leitão, Pereira, Rodrigues, DSN 2007) keeps a
 * small symmetric active view and a larger passive view of the cluster, and Plumtree (the same
 * authors' epidemic broadcast trees, SRDS 2007) broadcasts over the active view's links, eagerly
 * along a spanning tree and lazily (announcements only) over the rest.
 *
 * <p>Like {@link io.shoal.gossip.GossipCore}, nothing here opens a socket, starts a thread, reads
 * the clock or draws unseeded randomness. It is driven by the simulator only: the wire messages,
 * the node runtime and the switch from full membership to partial views are not built yet (see
 * docs/architecture.md).
 */
package io.shoal.gossip.views;
