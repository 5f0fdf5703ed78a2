/**
 * Membership and catalog dissemination as one sans-IO state machine, {@link
 * io.shoal.gossip.GossipCore}: SWIM with the Lifeguard refinements for membership, Scuttlebutt
 * anti-entropy for each node's catalog, and a reconnect list that heals partitions by itself.
 *
 * <p>Nothing here opens a socket, starts a thread, reads the clock or draws unseeded randomness:
 * the caller passes {@code nowNanos} and a seeded generator, feeds messages in with {@code on…}
 * methods and takes messages out with {@code poll…} methods. The Netty runtime and the simulator
 * both drive it that way.
 */
package io.shoal.gossip;
