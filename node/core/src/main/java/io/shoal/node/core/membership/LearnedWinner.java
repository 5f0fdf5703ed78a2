package io.shoal.node.core.membership;

import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;

/**
 * A version that beats every version of its name this node had seen: the name's winner as far as
 * this node knows.
 *
 * @param name the snapshot name
 * @param version the version
 * @param announcedBy the member whose catalog showed it
 */
public record LearnedWinner(String name, HeldVersion version, NodeId announcedBy) {}
