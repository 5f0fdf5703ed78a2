/**
 * A deterministic discrete-event simulator that drives the real gossip and transfer cores. Arrives
 * with the simulation issue.
 */
package io.shoal.sim;
