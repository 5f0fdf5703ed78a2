package io.shoal.sim;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.gossip.views.ViewConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@code membership-views} run plays ({@link ViewSimulation}): nodes join a HyParView
 * cluster one after another over {@code joinSpreadSeconds}, the views settle, then {@code
 * broadcasts} Plumtree broadcasts start from random live nodes at random times within {@code
 * broadcastSpreadSeconds} while {@code crashFraction} of the nodes crash at random times in that
 * window; the run ends {@code drainSeconds} after the last broadcast starts. Links are TCP-like:
 * reliable and FIFO, each with its own one-way latency; a message to a crashed node fails back to
 * its sender after that latency, and a crash drops the crashed node's links at once at the other
 * ends (a reset connection).
 *
 * @param nodes nodes in the cluster
 * @param seed the run's seed
 * @param joinSpreadSeconds node i joins at {@code i / nodes} of this, through a random earlier node
 * @param settleSeconds quiet time between the last join and the first broadcast
 * @param broadcasts broadcasts played (each is one small payload, e.g. a member's up event)
 * @param broadcastSpreadSeconds the window in which broadcasts start, uniformly at random
 * @param drainSeconds how long the run goes on after the window
 * @param crashFraction fraction of nodes that crash in the broadcast window
 * @param payloadBytes size of each broadcast's payload
 * @param activeViewSize HyParView's active view size
 * @param latencyMinMs shortest one-way latency of a link
 * @param latencyMaxMs longest one-way latency of a link
 */
public record ViewScenario(
    int nodes,
    long seed,
    double joinSpreadSeconds,
    double settleSeconds,
    int broadcasts,
    double broadcastSpreadSeconds,
    double drainSeconds,
    double crashFraction,
    int payloadBytes,
    int activeViewSize,
    double latencyMinMs,
    double latencyMaxMs) {

  /** The scenario's name on the command line. */
  public static final String KIND = "membership-views";

  /** Most broadcasts one run plays (delivery is tracked per node and broadcast, in bits). */
  public static final int MAX_BROADCASTS = 100_000;

  /**
   * A signed member up or down event: id 16, address 18, generation and incarnation 16, state 1,
   * Ed25519 signature 64 bytes.
   */
  public static final int DEFAULT_PAYLOAD_BYTES = 115;

  private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> FIELDS =
      new com.fasterxml.jackson.core.type.TypeReference<>() {};

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public ViewScenario {
    require(nodes >= 2 && nodes <= Scenario.MAX_NODES, "nodes must be 2.." + Scenario.MAX_NODES);
    require(
        broadcasts >= 0 && broadcasts <= MAX_BROADCASTS,
        "broadcasts must be 0.." + MAX_BROADCASTS + ", not " + broadcasts);
    require(
        joinSpreadSeconds >= 0
            && settleSeconds >= 0
            && broadcastSpreadSeconds >= 0
            && drainSeconds >= 0,
        "times must not be negative");
    require(crashFraction >= 0 && crashFraction < 0.5, "crashFraction must be in [0, 0.5)");
    require(
        payloadBytes >= 8 && payloadBytes <= ViewConfig.MAX_PAYLOAD_BYTES,
        "payloadBytes must be 8.." + ViewConfig.MAX_PAYLOAD_BYTES);
    require(
        activeViewSize >= 2 && activeViewSize <= ViewConfig.MAX_ACTIVE_VIEW_SIZE,
        "activeViewSize must be 2.." + ViewConfig.MAX_ACTIVE_VIEW_SIZE);
    require(latencyMinMs >= 0 && latencyMaxMs >= latencyMinMs, "latency needs 0 <= min <= max");
  }

  /**
   * The defaults: joins over 60 s, 30 s to settle, min(nodes, 1,000) broadcasts over 60 s, 1% of
   * the nodes crash, 10 to 100 ms links.
   */
  public static ViewScenario defaults(int nodes) {
    return new ViewScenario(
        nodes,
        1,
        60,
        30,
        Math.min(nodes, 1000),
        60,
        30,
        0.01,
        DEFAULT_PAYLOAD_BYTES,
        ViewConfig.DEFAULT_ACTIVE_VIEW_SIZE,
        10,
        100);
  }

  /**
   * The defaults for {@code overrides}' node count (1,000 if none), with {@code overrides} (field
   * name to value) applied; a field not named keeps its default.
   *
   * @throws IllegalArgumentException naming an unknown field or a bad value
   */
  public static ViewScenario resolve(Map<String, Object> overrides) {
    Object n = overrides.getOrDefault("nodes", 1000);
    if (!(n instanceof Number count)) {
      throw new IllegalArgumentException("nodes must be a number, not " + n);
    }
    boolean explicitBroadcasts = overrides.containsKey("broadcasts");
    Map<String, Object> fields =
        new LinkedHashMap<>(JSON.convertValue(defaults(count.intValue()), FIELDS));
    fields.putAll(overrides);
    if (!explicitBroadcasts) {
      fields.put("broadcasts", Math.min(count.intValue(), 1000));
    }
    try {
      return JSON.convertValue(fields, ViewScenario.class);
    } catch (IllegalArgumentException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new IllegalArgumentException(KIND + ": " + root.getMessage(), e);
    }
  }

  /** The command that replays this run. */
  public String replayCommand() {
    Map<String, Object> base = JSON.convertValue(defaults(nodes), FIELDS);
    Map<String, Object> cur = JSON.convertValue(this, FIELDS);
    StringBuilder b = new StringBuilder("shoal simulate " + KIND + " --nodes " + nodes);
    b.append(" --seed ").append(seed);
    for (Map.Entry<String, Object> e : cur.entrySet()) {
      if (!e.getKey().equals("nodes")
          && !e.getKey().equals("seed")
          && !java.util.Objects.equals(base.get(e.getKey()), e.getValue())) {
        b.append(" --set ").append(e.getKey()).append('=').append(e.getValue());
      }
    }
    return b.toString();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(KIND + ": " + message);
    }
  }
}
