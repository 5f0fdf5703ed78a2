package io.shoal.cli;

import io.shoal.sim.Scenario;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * What a testbed run does and when, in seconds after every node is up: a simulator scenario read
 * the simulator's way ({@link Scenario}), or a nemesis of random faults. Every draw comes from one
 * seeded generator, so a seed replays the same schedule (the real nodes' timing still varies).
 *
 * <p>From a scenario: node 0 publishes the first version at {@code publishAtSeconds}; the scheduled
 * {@code partitions} cut and heal at their times; {@code randomPartitions} are drawn as the
 * simulator draws them; with {@code partition-heal} one live node of every side publishes the next
 * version half-way through each partition; {@code crashes} nodes other than the seeders are killed
 * (SIGKILL) at random times within the churn window and restart {@code restartAfterSeconds} later.
 * Unlike the simulator, crashes apply to every kind. {@code loss} becomes each node's loss rate.
 */
final class TestbedPlan {
  /** What one action does. */
  enum Kind {
    PUBLISH,
    PUBLISH_EACH_SIDE,
    CUT,
    HEAL,
    CRASH,
    RESTART,
    STOP,
    CONT
  }

  /**
   * A partition: the group of every node; {@code oneWay} drops only traffic leaving group 0.
   *
   * @param id numbers the partitions of a run
   */
  @SuppressWarnings("ArrayRecordComponent") // built once, never changed
  record Cut(int id, int[] groupOf, boolean oneWay) {
    boolean blocks(int from, int to) {
      int a = groupOf[from];
      int b = groupOf[to];
      return a != b && (!oneWay || a == 0);
    }

    @Override
    public String toString() {
      return "partition " + id + " " + Arrays.toString(groupOf) + (oneWay ? " one-way" : "");
    }
  }

  /**
   * One action.
   *
   * @param node the node it strikes (-1 for a cut, a heal or a publish on each side)
   * @param cut the partition of a cut, heal or publish on each side, else null
   */
  record Action(double atSeconds, Kind kind, int node, Cut cut) {}

  private final List<Action> actions = new ArrayList<>();
  private int cuts;

  /** The actions in time order. */
  List<Action> actions() {
    List<Action> sorted = new ArrayList<>(actions);
    sorted.sort(Comparator.comparingDouble(Action::atSeconds));
    return sorted;
  }

  /** The nodes {@code played} leaves down: killed and not restarted, or stopped and not resumed. */
  static Set<Integer> downAfter(List<Action> played) {
    Set<Integer> down = new TreeSet<>();
    for (Action a : played) {
      if (a.kind() == Kind.CRASH || a.kind() == Kind.STOP) {
        down.add(a.node());
      } else if (a.kind() == Kind.RESTART || a.kind() == Kind.CONT) {
        down.remove(a.node());
      }
    }
    return down;
  }

  /** The schedule of {@code s} for {@code nodes} real nodes. */
  static TestbedPlan of(Scenario s, int nodes, long seed) {
    TestbedPlan p = new TestbedPlan();
    SplittableRandom random = new SplittableRandom(seed);
    p.add(s.publishAtSeconds(), Kind.PUBLISH, 0, null);
    for (Scenario.PartitionSpec spec : s.partitions()) {
      p.partition(
          new Cut(p.cuts++, spec.groupOf(nodes), spec.oneWay()),
          spec.atSeconds(),
          spec.healSeconds(),
          s.kind().equals("partition-heal"));
    }
    double t = s.joinSpreadSeconds() + 10;
    for (int k = 0; k < s.randomPartitions(); k++) {
      double length = 5 + random.nextDouble() * 55;
      p.partition(p.randomCut(random, nodes), t, t + length, s.kind().equals("partition-heal"));
      t += length + s.minStableSeconds() + random.nextDouble() * 20;
    }
    double window = s.joinSpreadSeconds() + 5;
    List<Integer> candidates = new ArrayList<>();
    for (int i = s.seeders(); i < nodes; i++) {
      candidates.add(i);
    }
    for (int k = 0; k < s.crashes() && !candidates.isEmpty(); k++) {
      int node = candidates.remove(random.nextInt(candidates.size()));
      double at = s.joinSpreadSeconds() + random.nextDouble() * window;
      p.add(at, Kind.CRASH, node, null);
      if (s.restartAfterSeconds() > 0) {
        p.add(at + s.restartAfterSeconds(), Kind.RESTART, node, null);
      }
    }
    return p;
  }

  /**
   * A nemesis of {@code seconds}: every 2 to 6 seconds one of a partition (random halves or one
   * node, sometimes one-way, 3 to 15 s), a SIGKILL (restart after 2 to 8 s), a SIGSTOP (SIGCONT
   * after 2 to 8 s) or a publish; at most a quarter of the nodes are down at once, and node 0
   * publishes the first version at the start. Every fault ends by {@code seconds}.
   */
  static TestbedPlan nemesis(int nodes, double seconds, long seed) {
    TestbedPlan p = new TestbedPlan();
    SplittableRandom random = new SplittableRandom(seed);
    p.add(0, Kind.PUBLISH, 0, null);
    double[] downUntil = new double[nodes];
    int maxDown = Math.max(1, nodes / 4);
    for (double t = 2 + random.nextDouble() * 4; t < seconds; t += 2 + random.nextDouble() * 4) {
      double length = Math.min(seconds - t, 2 + random.nextDouble() * 6);
      int draw = random.nextInt(4);
      if (draw == 0) {
        double cutLength = Math.min(seconds - t, 3 + random.nextDouble() * 12);
        p.partition(p.randomCut(random, nodes), t, t + cutLength, false);
        continue;
      }
      int node = random.nextInt(nodes);
      final double now = t;
      long down = Arrays.stream(downUntil).filter(u -> u > now).count();
      if (draw == 3 || downUntil[node] > t || down >= maxDown) {
        p.add(t, Kind.PUBLISH, -1, null);
        continue;
      }
      boolean kill = draw == 1;
      p.add(t, kill ? Kind.CRASH : Kind.STOP, node, null);
      p.add(t + length, kill ? Kind.RESTART : Kind.CONT, node, null);
      downUntil[node] = t + length + 1;
    }
    return p;
  }

  /** Random halves (a share of 20% to 80%) or, one time in five, one node alone. */
  private Cut randomCut(SplittableRandom random, int nodes) {
    int[] groupOf = new int[nodes];
    double share = 0.2 + 0.6 * random.nextDouble();
    for (int i = 0; i < nodes; i++) {
      groupOf[i] = random.nextDouble() < share ? 0 : 1;
    }
    boolean oneWay = random.nextInt(4) == 0;
    if (random.nextInt(5) == 0) {
      Arrays.fill(groupOf, 1);
      groupOf[random.nextInt(nodes)] = 0;
    }
    return new Cut(cuts++, groupOf, oneWay);
  }

  private void partition(Cut cut, double at, double heal, boolean publishEachSide) {
    add(at, Kind.CUT, -1, cut);
    add(heal, Kind.HEAL, -1, cut);
    if (publishEachSide) {
      add(at + (heal - at) / 2, Kind.PUBLISH_EACH_SIDE, -1, cut);
    }
  }

  private void add(double at, Kind kind, int node, Cut cut) {
    actions.add(new Action(at, kind, node, cut));
  }
}
