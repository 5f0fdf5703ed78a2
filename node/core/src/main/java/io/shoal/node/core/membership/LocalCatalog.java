package io.shoal.node.core.membership;

import io.shoal.gossip.Credential;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What this node holds, as it announces it: every name with its held versions (ascending, each with
 * its publisher's proof), and the credentials of the publishers other than this node, which this
 * node carries in its own gossip map so that its versions stay checkable after a publisher left.
 *
 * @param versions per name, a non-empty list in ascending version order; a name missing here that
 *     was announced before is announced as no longer held
 * @param credentials per publisher other than this node
 */
public record LocalCatalog(
    SortedMap<String, List<HeldVersion>> versions, Map<NodeId, Credential> credentials) {
  public LocalCatalog {
    SortedMap<String, List<HeldVersion>> copy = new TreeMap<>();
    versions.forEach(
        (name, held) -> {
          if (held.isEmpty()) {
            throw new IllegalArgumentException("no versions of " + name);
          }
          copy.put(name, List.copyOf(held));
        });
    versions = java.util.Collections.unmodifiableSortedMap(copy);
    credentials = Map.copyOf(credentials);
  }
}
