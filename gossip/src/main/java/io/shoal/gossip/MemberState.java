package io.shoal.gossip;

/** What the cluster believes about a member, as SWIM defines it. */
public enum MemberState {
  /** Answers probes. */
  ALIVE,
  /** Missed a probe; will be declared dead unless it refutes in time. */
  SUSPECT,
  /** Declared failed; kept on the reconnect list so a healed partition finds it again. */
  DEAD,
  /** Left on purpose; not reconnected. */
  LEFT
}
