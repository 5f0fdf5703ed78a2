/**
 * The deterministic discrete-event simulator: {@link io.shoal.sim.Simulation} plays a {@link
 * io.shoal.sim.Scenario} by driving every node's real gossip and transfer cores over a modelled
 * network with virtual time, and reports a {@link io.shoal.sim.SimResult}. Sans-IO like the cores:
 * no wall clock, no threads, no unseeded randomness (the report writer only writes files).
 */
package io.shoal.sim;
