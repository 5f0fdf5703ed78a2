/**
 * One node's membership as the layers above gossip need it, free of I/O and written once for the
 * runtime and the simulator: {@link io.shoal.node.core.membership.Membership} runs the gossip core
 * through the {@link io.shoal.gossip.GossipPump}, keeps the {@link
 * io.shoal.node.core.membership.SwarmDirectory} (who is up, who holds which snapshot) from its
 * events, feeds the {@link io.shoal.node.core.membership.FollowRule} (which new winners to fetch)
 * and announces the local catalog ({@link io.shoal.node.core.membership.LocalCatalog}). In
 * partial-view mode, {@link io.shoal.node.core.membership.ViewCatalogs} carries catalogs over
 * Plumtree instead and feeds the same directory and follow rule through {@code DirectoryFeed}.
 * Drivers: the runtime's {@code GossipDriver} on a Netty loop, the simulator's {@code SimNode} in
 * virtual time.
 */
package io.shoal.node.core.membership;
