package io.shoal.sim;

import java.util.Map;

/**
 * What a {@code membership-views} run ({@link ViewSimulation}) measured. Rates are per node per
 * second of node uptime; bytes are {@link ViewCost}'s estimates.
 *
 * @param scenario what was played
 * @param traceHash the run's trace hash: equal seeds give equal hashes
 * @param events events processed
 * @param virtualSeconds virtual time at the end
 * @param liveNodes nodes up at the end
 * @param crashedNodes nodes that crashed
 * @param connected whether the live nodes' active links connect them all
 * @param components connected components of the live nodes' active-link graph
 * @param activeViewMean mean active view size of the live nodes
 * @param activeViewMin smallest active view of a live node
 * @param passiveViewMean mean passive view size of the live nodes
 * @param asymmetricLinks active links (between live nodes) the other end does not hold
 * @param broadcasts broadcasts started
 * @param reliabilityMean mean over broadcasts of the fraction of live nodes that delivered it
 * @param reliabilityMin the lowest such fraction
 * @param fullyDelivered broadcasts every live node delivered
 * @param latencyP50 median over broadcasts of the time from its start to its last delivery, s
 * @param latencyP99 99th percentile of the same, s
 * @param latencyMax largest of the same, s
 * @param nodeSeconds node uptime summed over nodes, s
 * @param messagesPerNodeSecond every message sent
 * @param bytesPerNodeSecond their bytes
 * @param membershipMessagesPerNodeSecond HyParView's messages (join, neighbor, shuffle, ...)
 * @param membershipBytesPerNodeSecond their bytes
 * @param broadcastMessagesPerNodeSecond Plumtree's messages (GOSSIP, IHAVE, GRAFT, PRUNE)
 * @param broadcastBytesPerNodeSecond their bytes
 * @param broadcastMessagesPerDelivery Plumtree's messages per delivery (1 would be a perfect tree
 *     with nothing announced)
 * @param messagesByType messages sent, by type
 * @param duplicates eager pushes of a message already held, summed over live nodes
 * @param refused messages the cores refused (malformed or from a stranger), over live nodes
 * @param replay the command that replays this run
 */
public record ViewResult(
    ViewScenario scenario,
    String traceHash,
    long events,
    double virtualSeconds,
    int liveNodes,
    int crashedNodes,
    boolean connected,
    int components,
    double activeViewMean,
    int activeViewMin,
    double passiveViewMean,
    long asymmetricLinks,
    int broadcasts,
    double reliabilityMean,
    double reliabilityMin,
    int fullyDelivered,
    double latencyP50,
    double latencyP99,
    double latencyMax,
    double nodeSeconds,
    double messagesPerNodeSecond,
    double bytesPerNodeSecond,
    double membershipMessagesPerNodeSecond,
    double membershipBytesPerNodeSecond,
    double broadcastMessagesPerNodeSecond,
    double broadcastBytesPerNodeSecond,
    double broadcastMessagesPerDelivery,
    Map<String, Long> messagesByType,
    long duplicates,
    long refused,
    String replay) {

  /** Whether the run met its goals: the active views connect every live node. */
  public boolean ok() {
    return connected;
  }
}
