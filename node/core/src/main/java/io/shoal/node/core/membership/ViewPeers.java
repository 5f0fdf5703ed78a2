package io.shoal.node.core.membership;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.views.ViewConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where the peers of this node's partial views listen: the address book a view driver sends by. An
 * address is either proved (a connection to it passed the handshake as that node, or the node sent
 * from it over an authenticated link) or a hint (a frame named it). A proved address is never
 * replaced by a hint, a hint naming an address proved for another node is refused, and when a dial
 * reaches another node than a hint said, the hint is dropped and its node reported, so that the
 * views forget it. One address belongs to one node at a time: the newest proof wins.
 *
 * <p>Bounded: the driver prunes the book to what the views name ({@link #retainOnly}) after every
 * input, so it holds at most the two views, the contacts being joined through and one input's worth
 * of hints; past {@link #MAX_PEERS} new entries are refused. Single-threaded, no I/O.
 */
public final class ViewPeers {
  /**
   * Contacts this node may be joining through at once (the configured seeds beyond are ignored).
   */
  public static final int MAX_JOINS = 16;

  /**
   * Entries kept at most: the largest active and passive views, the contacts being joined through,
   * and what one input adds before the prune (its sender, and a shuffle's origin and peers).
   */
  public static final int MAX_PEERS =
      ViewConfig.MAX_ACTIVE_VIEW_SIZE
          + ViewConfig.MAX_PASSIVE_VIEW_SIZE
          + MAX_JOINS
          + 2
          + ViewConfig.MAX_SHUFFLE_PEERS;

  private record Entry(Endpoint at, boolean proved) {}

  private final NodeId self;
  private final Map<NodeId, Entry> entries = new HashMap<>();
  private final Set<NodeId> joining = new LinkedHashSet<>();

  public ViewPeers(NodeId self) {
    this.self = Objects.requireNonNull(self, "self");
  }

  /**
   * {@code id} proved itself at {@code at} (a dial there reached it, or it sent from there over an
   * authenticated link). Returns the other nodes the book placed at {@code at}: they are not there
   * (any more), and are forgotten here; the caller reports them failed to the views.
   */
  public List<NodeId> onProved(NodeId id, Endpoint at) {
    List<NodeId> wrong = new ArrayList<>();
    for (Iterator<Map.Entry<NodeId, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<NodeId, Entry> e = it.next();
      if (e.getValue().at().equals(at) && !e.getKey().equals(id)) {
        wrong.add(e.getKey());
        it.remove();
      }
    }
    if (!id.equals(self) && (entries.containsKey(id) || entries.size() < MAX_PEERS)) {
      entries.put(id, new Entry(at, true));
    }
    return wrong;
  }

  /**
   * A frame says {@code id} listens at {@code at}. Kept unless the book has proof of where {@code
   * id} is, or {@code at} is proved to be another node's; false when refused (that conflict, or a
   * full book).
   */
  public boolean onHint(NodeId id, Endpoint at) {
    if (id.equals(self)) {
      return true;
    }
    Entry known = entries.get(id);
    if (known != null && known.proved()) {
      return true;
    }
    for (Map.Entry<NodeId, Entry> e : entries.entrySet()) {
      if (e.getValue().proved() && e.getValue().at().equals(at) && !e.getKey().equals(id)) {
        return false;
      }
    }
    if (known == null && entries.size() >= MAX_PEERS) {
      return false;
    }
    entries.put(id, new Entry(at, false));
    return true;
  }

  /** Where {@code id} listens, or null when the book does not know. */
  public Endpoint addressOf(NodeId id) {
    Entry e = entries.get(id);
    return e == null ? null : e.at();
  }

  /** The nodes the book places at {@code at}. */
  public List<NodeId> idsAt(Endpoint at) {
    List<NodeId> ids = new ArrayList<>(1);
    entries.forEach(
        (id, e) -> {
          if (e.at().equals(at)) {
            ids.add(id);
          }
        });
    return ids;
  }

  /**
   * This node is joining through {@code contact}: its address stays through prunes until {@link
   * #joined}. False when {@link #MAX_JOINS} joins are in flight.
   */
  public boolean onJoining(NodeId contact) {
    if (joining.size() >= MAX_JOINS && !joining.contains(contact)) {
      return false;
    }
    joining.add(contact);
    return true;
  }

  /** The joins in flight landed (or were given up): their contacts are pruned like any peer. */
  public void joined() {
    joining.clear();
  }

  /** Forgets every node that is neither in {@code views} nor a contact being joined through. */
  public void retainOnly(Collection<NodeId> views) {
    Set<NodeId> keep = new HashSet<>(views);
    keep.addAll(joining);
    entries.keySet().retainAll(keep);
  }

  public int size() {
    return entries.size();
  }

  /** Whether the address of {@code id} is proved rather than hinted. */
  public boolean isProved(NodeId id) {
    Entry e = entries.get(id);
    return e != null && e.proved();
  }
}
