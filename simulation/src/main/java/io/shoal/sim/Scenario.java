package io.shoal.sim;

import java.util.List;
import java.util.Objects;

/**
 * What one simulation run plays: how many nodes, what they move, over what network, which faults
 * strike when. Every field has a default for each built-in {@link #kind}; a scenario file overrides
 * any of them (see {@code docs/simulation.md}). Times are virtual seconds, rates are megabytes
 * (10^6 bytes) per second.
 *
 * @param kind the built-in behaviour: {@code swarm-join}, {@code partition-heal}, {@code churn} or
 *     {@code recovery}
 * @param name a label for reports (the kind, or the file's name)
 * @param nodes nodes at the start, seeders included
 * @param seed the run's seed; every node's generator is split from it
 * @param seeders nodes that publish (or hold) the snapshot
 * @param publishAtSeconds when the seeders publish (swarm-join, churn: 0 is at the start)
 * @param snapshotMib size of the snapshot (0: catalog only, nothing to transfer)
 * @param chunkKib size of one data chunk (FastCDC's average is 64 KiB; large runs use bigger pieces
 *     to fit in memory)
 * @param capacities the nodes' link classes, drawn by weight
 * @param seederUploadMBps the seeders' upload capacity
 * @param latencyMinMs shortest one-way latency of a link (each link draws its own, uniformly)
 * @param latencyMaxMs longest one-way latency of a link
 * @param loss fraction of gossip datagrams lost (transfer messages ride TCP and are not lost)
 * @param joinSpreadSeconds fresh nodes start at random times within this window
 * @param follow whether nodes fetch the winning version of every name as gossip announces it
 * @param partitions scheduled partitions
 * @param randomPartitions extra partitions drawn from the seed (two random groups each)
 * @param minStableSeconds random partitions leave at least this long between them
 * @param crashes nodes that crash while the snapshot spreads (churn)
 * @param restartAfterSeconds a crashed node restarts this long after (0: never)
 * @param newAddressFraction fraction of restarts on a new address
 * @param joins brand-new nodes that join while the snapshot spreads (churn)
 * @param slowFraction fraction of nodes whose links are {@code slowFactor} times slower
 * @param slowFactor how much slower a slow node is
 * @param corruptNodes nodes that serve corrupted chunk bytes
 * @param changePercent share of chunks a new version changes (recovery)
 * @param realPayload real bytes, chunked, hashed and verified by the real store (small runs)
 * @param directory how nodes learn who holds what: {@code gossip} (the real cores, O(N^2) member
 *     state) or {@code converged} (membership as converged gossip would leave it, for transfer runs
 *     too large to hold N^2 member records; catalogs still spread with a log(N)-round delay)
 * @param limitSeconds virtual time at which an unconverged run stops
 * @param maxEvents step limit: a run that needs more events stops unconverged
 * @param zones zones the nodes are dealt into (node i in zone i mod zones; 0: none)
 * @param interZoneFactor the share of its capacity a flow between two zones gets (a tenth: links
 *     between zones are ten times slower)
 * @param zoneAware whether the nodes are told their zones (false: a zone-blind run over the same
 *     slow links, to compare with)
 */
public record Scenario(
    String kind,
    String name,
    int nodes,
    long seed,
    int seeders,
    double publishAtSeconds,
    double snapshotMib,
    int chunkKib,
    List<LinkClass> capacities,
    double seederUploadMBps,
    double latencyMinMs,
    double latencyMaxMs,
    double loss,
    double joinSpreadSeconds,
    boolean follow,
    List<PartitionSpec> partitions,
    int randomPartitions,
    double minStableSeconds,
    int crashes,
    double restartAfterSeconds,
    double newAddressFraction,
    int joins,
    double slowFraction,
    double slowFactor,
    int corruptNodes,
    double changePercent,
    boolean realPayload,
    String directory,
    double limitSeconds,
    long maxEvents,
    int zones,
    double interZoneFactor,
    boolean zoneAware) {

  /** The built-in scenarios. */
  public static final List<String> KINDS =
      List.of("swarm-join", "partition-heal", "churn", "recovery");

  /** Most zones a run deals its nodes into. */
  public static final int MAX_ZONES = 64;

  /** Most nodes one run holds. */
  public static final int MAX_NODES = 1_000_000;

  /**
   * A class of node links.
   *
   * @param weight relative share of nodes in this class
   * @param uploadMBps upload capacity
   * @param downloadMBps download capacity
   */
  public record LinkClass(double weight, double uploadMBps, double downloadMBps) {}

  /**
   * One partition.
   *
   * @param atSeconds when it starts
   * @param healSeconds when it ends
   * @param groups sizes of the groups as fractions of the nodes, in node order (empty with {@code
   *     isolate})
   * @param isolate a single node cut off from all others, or -1
   * @param oneWay whether only traffic from the first group to the others is dropped
   */
  public record PartitionSpec(
      double atSeconds, double healSeconds, List<Double> groups, int isolate, boolean oneWay) {
    /**
     * The group of each of {@code nodes} nodes, exactly as the simulator cuts them (the testbed of
     * real nodes reads it too); group 0 is the one a one-way partition silences.
     */
    public int[] groupOf(int nodes) {
      Network.Partition p =
          isolate >= 0
              ? Network.isolate(nodes, isolate, oneWay)
              : Network.groups(nodes, groups, oneWay);
      int[] out = new int[nodes];
      for (int i = 0; i < nodes; i++) {
        out[i] = p.group(i);
      }
      return out;
    }
  }

  public Scenario {
    Objects.requireNonNull(kind, "kind");
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException(
          "unknown scenario kind '" + kind + "'; known: " + String.join(", ", KINDS));
    }
    name = name == null || name.isBlank() ? kind : name;
    capacities = capacities == null ? List.of() : List.copyOf(capacities);
    partitions = partitions == null ? List.of() : List.copyOf(partitions);
    directory = directory == null ? "gossip" : directory;
    require(nodes >= 2 && nodes <= MAX_NODES, "nodes must be 2.." + MAX_NODES + ", not " + nodes);
    require(seeders >= 1 && seeders < nodes, "seeders must be 1..nodes-1, not " + seeders);
    require(snapshotMib >= 0, "snapshotMib must not be negative");
    require(publishAtSeconds >= 0, "publishAtSeconds must not be negative");
    require(chunkKib >= 1 && chunkKib <= 64 * 1024, "chunkKib must be 1..65536");
    require(!capacities.isEmpty(), "at least one link class is needed");
    for (LinkClass c : capacities) {
      require(
          c.weight() > 0 && c.uploadMBps() > 0 && c.downloadMBps() > 0,
          "link classes need positive weight and rates: " + c);
    }
    require(seederUploadMBps > 0, "seederUploadMBps must be positive");
    require(latencyMinMs >= 0 && latencyMaxMs >= latencyMinMs, "latency needs 0 <= min <= max");
    require(loss >= 0 && loss < 1, "loss must be in [0, 1)");
    for (PartitionSpec p : partitions) {
      require(p.healSeconds() > p.atSeconds(), "a partition must heal after it starts: " + p);
      require(
          p.isolate() >= 0 || (p.groups() != null && p.groups().size() >= 2),
          "a partition needs two or more groups or a node to isolate: " + p);
    }
    require(randomPartitions >= 0 && crashes >= 0 && joins >= 0, "counts must not be negative");
    require(crashes < nodes - seeders, "crashes must leave a non-seeder alive");
    require(slowFraction >= 0 && slowFraction <= 1 && slowFactor >= 1, "bad slow-node settings");
    require(corruptNodes >= 0 && corruptNodes < nodes, "bad corruptNodes");
    require(changePercent >= 0 && changePercent <= 100, "changePercent must be 0..100");
    require(
        directory.equals("gossip") || directory.equals("converged"),
        "directory must be gossip or converged, not " + directory);
    require(limitSeconds > 0 && maxEvents > 0, "limits must be positive");
    require(zones >= 0 && zones <= MAX_ZONES, "zones must be 0.." + MAX_ZONES + ", not " + zones);
    require(
        interZoneFactor > 0 && interZoneFactor <= 1,
        "interZoneFactor must be in (0, 1], not " + interZoneFactor);
  }

  /** The defaults of a built-in scenario. */
  public static Scenario builtIn(String kind) {
    List<LinkClass> mixed =
        List.of(
            new LinkClass(5, 12.5, 50), // 100 Mbit/s up, 400 down
            new LinkClass(3, 50, 125), // 400 up, 1 Gbit/s down
            new LinkClass(2, 125, 125)); // 1 Gbit/s both ways
    // Columns: nodes, snapshot MiB, chunk KiB, loss, follow, partitions, crashes, restart after,
    // joins, slow fraction, change percent, limit.
    return switch (kind) {
      case "swarm-join" ->
          make(kind, 100, 256, 1024, 0, true, List.of(), 0, 0, 0, 0, 0, 600, mixed);
      case "partition-heal" ->
          make(
              kind,
              100,
              0,
              1024,
              0.01,
              false,
              List.of(new PartitionSpec(30, 630, List.of(0.5, 0.5), -1, false)),
              0,
              0,
              0,
              0,
              0,
              1200,
              mixed);
      case "churn" ->
          make(kind, 100, 64, 256, 0.01, true, List.of(), 10, 15, 10, 0.1, 0, 900, mixed);
      case "recovery" -> make(kind, 20, 256, 1024, 0, true, List.of(), 0, 15, 0, 0, 1, 600, mixed);
      default ->
          throw new IllegalArgumentException(
              "unknown scenario '" + kind + "'; built in: " + String.join(", ", KINDS));
    };
  }

  @SuppressWarnings("TooManyParameters") // one row of the table above
  private static Scenario make(
      String kind,
      int nodes,
      double snapshotMib,
      int chunkKib,
      double loss,
      boolean follow,
      List<PartitionSpec> partitions,
      int crashes,
      double restartAfterSeconds,
      int joins,
      double slowFraction,
      double changePercent,
      double limitSeconds,
      List<LinkClass> capacities) {
    return new Scenario(
        kind,
        kind,
        nodes,
        1,
        1,
        0,
        snapshotMib,
        chunkKib,
        capacities,
        125,
        1,
        20,
        loss,
        1,
        follow,
        partitions,
        0,
        10,
        crashes,
        restartAfterSeconds,
        0.5,
        joins,
        slowFraction,
        4,
        0,
        changePercent,
        false,
        "gossip",
        limitSeconds,
        2_000_000_000L,
        0,
        0.1,
        true);
  }

  /** Node {@code index}'s zone, or -1 without zones. */
  public int zoneOf(int index) {
    return zones == 0 ? -1 : index % zones;
  }

  /** The zone name node {@code index} is told (empty without zones or in a zone-blind run). */
  public String zoneName(int index) {
    return zones == 0 || !zoneAware ? "" : "z" + zoneOf(index);
  }

  public long snapshotBytes() {
    return (long) (snapshotMib * (1 << 20));
  }

  public int chunkBytes() {
    return chunkKib * 1024;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
