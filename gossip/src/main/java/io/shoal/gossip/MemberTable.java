package io.shoal.gossip;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Every member the core knows, with SWIM's precedence rules for claims about them. Keeps index
 * lists so random choices cost O(1) whatever the cluster size. Not thread-safe.
 */
final class MemberTable {
  /** What applying a claim did. */
  enum Outcome {
    IGNORED,
    ADDED,
    CHANGED,
    CONFIRMED,
    /** A new member, refused: the table is at {@link GossipConfig#MAX_MEMBERS} of live members. */
    FULL
  }

  private final NodeId self;
  private final TreeMap<NodeId, Member> members = new TreeMap<>();
  private final IdList all = new IdList();
  private final IdList reachable = new IdList();

  MemberTable(NodeId self) {
    this.self = self;
  }

  void addSelf(Member m) {
    members.put(m.id, m);
    all.add(m.id);
    reachable.add(m.id);
  }

  Member get(NodeId id) {
    return members.get(id);
  }

  Collection<Member> all() {
    return Collections.unmodifiableCollection(members.values());
  }

  /** Members (self included) that are alive or suspected: the cluster size for the math. */
  int reachableCount() {
    return reachable.size();
  }

  int size() {
    return members.size();
  }

  /** Up to {@code k} distinct reachable members other than self and {@code exclude}. */
  List<Member> randomReachable(int k, NodeId exclude, RandomGenerator random) {
    return sample(reachable, k, exclude, random);
  }

  /** Up to {@code k} distinct members in any state other than self. */
  List<Member> randomAny(int k, RandomGenerator random) {
    return sample(all, k, null, random);
  }

  /** Ids of reachable members other than self, in id order. */
  List<NodeId> reachableOthers() {
    List<NodeId> out = new ArrayList<>();
    for (Member m : members.values()) {
      if (m.isReachable() && !m.id.equals(self)) {
        out.add(m.id);
      }
    }
    return out;
  }

  private List<Member> sample(IdList from, int k, NodeId exclude, RandomGenerator random) {
    int candidates = from.size() - 1 - (exclude != null && from.contains(exclude) ? 1 : 0);
    int want = Math.min(k, Math.max(0, candidates));
    List<Member> out = new ArrayList<>(want);
    if (want == 0) {
      return out;
    }
    if (want * 3 >= candidates) {
      // Dense: shuffle a copy (seeded), take the first.
      List<NodeId> ids = new ArrayList<>(from.ids);
      Collections.sort(ids);
      for (int i = ids.size() - 1; i > 0; i--) {
        Collections.swap(ids, i, random.nextInt(i + 1));
      }
      for (NodeId id : ids) {
        if (out.size() == want) {
          break;
        }
        if (!id.equals(self) && !id.equals(exclude)) {
          out.add(members.get(id));
        }
      }
      return out;
    }
    while (out.size() < want) {
      NodeId id = from.ids.get(random.nextInt(from.size()));
      Member m = members.get(id);
      if (!id.equals(self) && !id.equals(exclude) && !out.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * Applies a claim about another member (the caller handles claims about self, and has checked
   * that the claim's signature is the member's own record at the claimed incarnation).
   *
   * <ul>
   *   <li>ALIVE wins with a higher incarnation (or for an unknown member);
   *   <li>SUSPECT wins over ALIVE with an equal or higher incarnation, and adds a confirmation to a
   *       running suspicion of the same incarnation;
   *   <li>DEAD and LEFT win over ALIVE and SUSPECT with an equal or higher incarnation;
   *   <li>nothing is learned about an unknown member from a suspicion or a death;
   *   <li>a new member past {@link GossipConfig#MAX_MEMBERS} takes the place of the member dead or
   *       gone longest, and is refused when every member is alive or suspected.
   * </ul>
   */
  Outcome apply(MemberUpdate u, long nowNanos, SuspicionFactory suspicions) {
    Member m = members.get(u.id());
    if (m == null) {
      if (u.state() != MemberState.ALIVE) {
        return Outcome.IGNORED;
      }
      if (members.size() >= GossipConfig.MAX_MEMBERS && !evictLongestGone()) {
        return Outcome.FULL;
      }
      m =
          new Member(
              u.id(), u.address(), u.incarnation(), MemberState.ALIVE, u.signature(), nowNanos);
      m.zone = u.zone();
      members.put(m.id, m);
      all.add(m.id);
      reachable.add(m.id);
      return Outcome.ADDED;
    }
    switch (u.state()) {
      case ALIVE -> {
        if (u.incarnation() <= m.incarnation) {
          return Outcome.IGNORED;
        }
        adopt(m, u);
        setState(m, MemberState.ALIVE, nowNanos);
        return Outcome.CHANGED;
      }
      case SUSPECT -> {
        if (u.incarnation() < m.incarnation || !m.isReachable()) {
          return Outcome.IGNORED;
        }
        if (m.state == MemberState.SUSPECT && u.incarnation() == m.incarnation) {
          return m.suspicion.confirm(u.reporter()) ? Outcome.CONFIRMED : Outcome.IGNORED;
        }
        adopt(m, u);
        setState(m, MemberState.SUSPECT, nowNanos);
        m.suspicion = suspicions.start(nowNanos, u.reporter());
        return Outcome.CHANGED;
      }
      case DEAD, LEFT -> {
        if (u.incarnation() < m.incarnation || !m.isReachable()) {
          return Outcome.IGNORED;
        }
        adopt(m, u);
        setState(m, u.state(), nowNanos);
        return Outcome.CHANGED;
      }
    }
    throw new IllegalStateException("unknown state " + u.state());
  }

  /** Takes the incarnation, address, zone and signature of a checked claim that wins. */
  private static void adopt(Member m, MemberUpdate u) {
    if (u.incarnation() > m.incarnation || u.state() == MemberState.LEFT) {
      m.incarnation = u.incarnation();
      m.address = u.address();
      m.zone = u.zone();
      m.signature = u.signature();
      m.signedLeft = u.state() == MemberState.LEFT;
    }
  }

  /** Forgets the member dead or gone longest, to make room; false when none is. */
  private boolean evictLongestGone() {
    Member oldest = null;
    for (Member m : members.values()) {
      if (!m.isReachable() && (oldest == null || m.stateSinceNanos - oldest.stateSinceNanos < 0)) {
        oldest = m;
      }
    }
    if (oldest == null) {
      return false;
    }
    remove(oldest.id);
    return true;
  }

  private void setState(Member m, MemberState state, long nowNanos) {
    boolean wasReachable = m.isReachable();
    if (m.state != state) {
      m.stateSinceNanos = nowNanos;
    }
    m.state = state;
    if (state != MemberState.SUSPECT) {
      m.suspicion = null;
    }
    if (wasReachable && !m.isReachable()) {
      reachable.remove(m.id);
    } else if (!wasReachable && m.isReachable()) {
      reachable.add(m.id);
    }
  }

  /** Marks a suspected member dead (its suspicion ran out). */
  void declareDead(Member m, long nowNanos) {
    setState(m, MemberState.DEAD, nowNanos);
  }

  /** Forgets a member entirely. */
  void remove(NodeId id) {
    Member m = members.remove(id);
    if (m != null) {
      all.remove(id);
      reachable.remove(id);
    }
  }

  /** Starts suspicions with the table's current size. */
  interface SuspicionFactory {
    Suspicion start(long nowNanos, NodeId reporter);
  }

  /** A list of ids with O(1) add, remove and random access. */
  private static final class IdList {
    final List<NodeId> ids = new ArrayList<>();
    final Map<NodeId, Integer> index = new HashMap<>();

    void add(NodeId id) {
      if (!index.containsKey(id)) {
        index.put(id, ids.size());
        ids.add(id);
      }
    }

    void remove(NodeId id) {
      Integer i = index.remove(id);
      if (i == null) {
        return;
      }
      NodeId last = ids.remove(ids.size() - 1);
      if (i < ids.size()) {
        ids.set(i, last);
        index.put(last, i);
      }
    }

    boolean contains(NodeId id) {
      return index.containsKey(id);
    }

    int size() {
      return ids.size();
    }
  }
}
