package io.shoal.sim;

import java.util.List;

/**
 * What one run found. Times are virtual seconds; {@code convergenceSeconds} counts from {@code
 * referenceEvent} (the publish, or the last heal), -1 if the run did not converge.
 *
 * @param scenario what was played
 * @param converged whether every live node agreed (members, winners) and held what it follows
 * @param convergenceSeconds time to convergence from the reference event
 * @param referenceEvent what convergence is counted from
 * @param virtualSeconds virtual time at the end of the run
 * @param events events processed
 * @param traceHash hash of the event trace: equal seeds and scenarios give equal hashes
 * @param bytesMoved chunk bytes that crossed links
 * @param bytesWasted bytes that crossed links for nothing: duplicates, corrupt chunks, chunks cut
 *     off by a crash or a partition
 * @param disseminationSeconds time from the last publish until every live node knew its winner, -1
 *     if some never did
 * @param chunksRejected chunks that failed verification on arrival (and were fetched again)
 * @param peersBanned times a fetch banned a peer for bad chunks
 * @param completion per-node completion times of the transfer, from the publish
 * @param boundSeconds the Kumar and Ross lower bound of the transfer, 0 without one
 * @param boundRatio the last completion over the bound, 0 without one
 * @param recoveryFetchedBytes bytes the recovering node fetched (recovery), else 0
 * @param recoveryChangedBytes bytes of chunks the new version changed (recovery), else 0
 * @param timeline samples over time, thinned to at most {@code Sampler.MAX_TIMELINE}
 * @param closeUp every sample of the run's last {@code Sampler.CLOSE_UP_SECONDS}, unthinned (the
 *     recovery after the last heal or restart is over in seconds)
 * @param marks crashes, restarts and joins, in time order (at most {@code Cluster.MAX_MARKS})
 * @param uploads bytes each node uploaded
 * @param traffic what the control messages cost (gossip and transfer), in all and per node-second
 * @param violations invariants that failed (empty when all held)
 * @param replay the command that replays this run
 * @param crossZoneBytes chunk bytes that reached each zone from another, by zone (empty without
 *     zones)
 */
public record SimResult(
    Scenario scenario,
    boolean converged,
    double convergenceSeconds,
    String referenceEvent,
    double virtualSeconds,
    long events,
    String traceHash,
    long bytesMoved,
    long bytesWasted,
    double disseminationSeconds,
    long chunksRejected,
    long peersBanned,
    Percentiles completion,
    double boundSeconds,
    double boundRatio,
    long recoveryFetchedBytes,
    long recoveryChangedBytes,
    List<Sample> timeline,
    List<Sample> closeUp,
    List<Mark> marks,
    List<Upload> uploads,
    Traffic traffic,
    List<String> violations,
    String replay,
    List<Long> crossZoneBytes) {

  /**
   * Copies of the snapshot each zone without a seeder pulled across from other zones, on average
   * (the zones that must pull one); 0 without zones.
   */
  public double crossZoneCopiesPerZone() {
    long snapshot = scenario.snapshotBytes();
    long sum = 0;
    int zones = 0;
    for (int z = 0; z < crossZoneBytes.size(); z++) {
      if (z >= scenario.seeders()) { // seeders are nodes 0.., dealt into zones 0..
        sum += crossZoneBytes.get(z);
        zones++;
      }
    }
    return zones == 0 || snapshot == 0 ? 0 : (double) sum / zones / snapshot;
  }

  /**
   * Completion-time percentiles in virtual seconds.
   *
   * @param count nodes that completed
   * @param expected nodes that should have
   */
  public record Percentiles(
      int count, int expected, double p50, double p90, double p99, double p999, double max) {}

  /**
   * One sample of the swarm.
   *
   * @param seconds virtual time
   * @param complete fraction of live followers holding the newest snapshot
   * @param agree fraction of live nodes that see every live member and the winning roots
   * @param members fraction of live nodes whose member view is exactly the live nodes
   * @param catalogs fraction of live nodes that know the winning root of every name
   * @param live nodes up
   * @param bytesMoved chunk bytes delivered since the start of the run
   * @param partitioned whether a partition was in force
   */
  public record Sample(
      double seconds,
      double complete,
      double agree,
      double members,
      double catalogs,
      int live,
      long bytesMoved,
      boolean partitioned) {}

  /**
   * A node's life event.
   *
   * @param seconds virtual time
   * @param kind {@code crash}, {@code restart} or {@code join}
   * @param node the node's number
   */
  public record Mark(double seconds, String kind, int node) {}

  /**
   * @param node the node's number
   * @param bytes chunk bytes it uploaded
   * @param seeder whether it was a seeder
   */
  public record Upload(int node, long bytes, boolean seeder) {}

  /**
   * Control messages sent (chunks excluded), with bytes estimated from the cores' own size
   * estimates; per node-second divides by the time nodes were up, summed over nodes.
   *
   * @param gossipMessages gossip datagrams sent, lost ones included
   * @param gossipBytes their estimated bytes
   * @param transferMessages transfer control messages sent (queries, haves, requests, cancels)
   * @param transferBytes their estimated bytes
   * @param nodeSeconds seconds each node was up, summed over nodes (sampled every 100 ms)
   * @param gossipMessagesPerNodeSecond gossip datagrams per node per second
   * @param gossipBytesPerNodeSecond gossip bytes per node per second
   * @param transferMessagesPerNodeSecond transfer control messages per node per second
   * @param transferBytesPerNodeSecond transfer control bytes per node per second
   */
  public record Traffic(
      long gossipMessages,
      long gossipBytes,
      long transferMessages,
      long transferBytes,
      double nodeSeconds,
      double gossipMessagesPerNodeSecond,
      double gossipBytesPerNodeSecond,
      double transferMessagesPerNodeSecond,
      double transferBytesPerNodeSecond) {}

  public boolean ok() {
    return converged && violations.isEmpty();
  }
}
