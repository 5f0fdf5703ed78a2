/**
 * The Java API of shoal for services on the JVM.
 *
 * <p>{@link io.shoal.api.Shoal} is the one entry point. {@link io.shoal.api.Shoal#start} runs a
 * node inside the service's process; {@link io.shoal.api.Shoal#connect} talks to a node running
 * beside the service, found through its data directory. Both offer the same operations: publish a
 * consistent point of the service's state as the next version of a snapshot, subscribe to new
 * versions, restore a version into a directory with progress, read one file of a snapshot before
 * the snapshot has fully arrived, and append to and read the replicated change log of a name.
 *
 * <p>Every type here is public API; everything else in this package is package-private. Methods
 * that move data block the calling thread until done and say so; listeners are called on a thread
 * the {@code Shoal} owns, which {@link io.shoal.api.Shoal#close} stops. docs/api.md is the guide.
 */
package io.shoal.api;
