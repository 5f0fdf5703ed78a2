package io.shoal.node.core.membership;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Credential;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.GossipEvent;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.GossipPump;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Pin;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One node's membership, as the layers above gossip need it, written once for the runtime and the
 * simulator: it owns the {@link GossipCore} and runs it through a {@link GossipPump}, keeps the
 * {@link SwarmDirectory} from the core's events, feeds the {@link FollowRule} (which new winners to
 * fetch), and announces this node's catalog.
 *
 * <p>Inputs are {@code on…} methods; the driver's {@link GossipPump.Wire} and {@link
 * GossipPump.Alarm} carry the core's messages and its one timer; the rest comes out through {@code
 * poll…} methods, which the driver drains after every input: {@link #pollEvent} (every core event,
 * for logs), {@link #pollGone} (members the transfer side must drop), {@link #pollWinner}, {@link
 * #pollFollow} (fetch this now) and {@link #pollUnannounced}. Each queue holds what the inputs
 * since the last drain produced, so it stays within the core's own event bound times {@link
 * CatalogValue#MAX_VERSIONS}.
 *
 * <p>Single-threaded: the driver owns the thread. The directory alone may be read from other
 * threads.
 */
public final class Membership {
  private final GossipPump pump;
  private final DirectoryFeed feed;
  private final SwarmDirectory directory;
  private final FollowRule follow;
  private Set<String> announcedNames = new TreeSet<>();
  private final ArrayDeque<GossipEvent> events = new ArrayDeque<>();
  private final ArrayDeque<NodeId> gone = new ArrayDeque<>();
  private final ArrayDeque<Unannounced> unannounced = new ArrayDeque<>();
  private boolean pinsChanged;

  /**
   * @param followPatterns the names whose winners this node fetches ({@link FollowRule})
   */
  public Membership(
      GossipCore core,
      List<String> followPatterns,
      GossipPump.Wire wire,
      GossipPump.Alarm alarm,
      GossipPump.Failures failures) {
    this.directory = new SwarmDirectory(core.id());
    this.follow = new FollowRule(core.id(), followPatterns, core::credentialOf);
    this.feed = new DirectoryFeed(directory, follow);
    this.pump = new GossipPump(core, wire, alarm, this::onCoreEvent, failures);
  }

  // ---------------------------------------------------------------- inputs

  /** Contacts the seeds (see {@link GossipCore#join}). */
  public void onJoin(Collection<Endpoint> seeds, long nowNanos) {
    pump.run("a join", core -> core.join(seeds, nowNanos));
  }

  /** Announces that this node leaves (see {@link GossipCore#leave}). */
  public void onLeave(long nowNanos) {
    pump.run("a leave", core -> core.leave(nowNanos));
  }

  /** A message from member {@code from}, authenticated by the driver. */
  public void onMessage(NodeId from, Endpoint fromAddress, GossipMessage message, long nowNanos) {
    pump.run("a message", core -> core.onMessage(from, fromAddress, message, nowNanos));
  }

  /**
   * The driver's alarm went off. Follows that failed are given again from here ({@link
   * FollowRule#onTimer}): the core's alarm goes off at least once every protocol period.
   */
  public void onTimer(long nowNanos) {
    pump.onTimer(nowNanos);
    follow.onTimer(nowNanos);
  }

  /**
   * The follow's fetch of {@code version} of {@code name} failed: it is given again later unless a
   * newer winner comes first ({@link FollowRule#onFollowFailed}).
   */
  public void onFollowFailed(String name, HeldVersion version, long nowNanos) {
    follow.onFollowFailed(name, version, nowNanos);
  }

  /** The credential an authenticated peer presented (see {@link GossipCore#onPeerCredential}). */
  public void onPeerCredential(NodeId peer, Credential credential, long nowNanos) {
    pump.run("a peer credential", core -> core.onPeerCredential(peer, credential, nowNanos));
  }

  /** The authority's view changed (see {@link GossipCore#onCredentialsChanged}). */
  public void onCredentialsChanged(long nowNanos) {
    pump.run("a credential change", core -> core.onCredentialsChanged(nowNanos));
  }

  /**
   * What this node holds now: the core carries the publishers' credentials and announces each
   * name's newest {@link CatalogValue#MAX_VERSIONS} versions, without those of publishers whose
   * credential it refuses; names held before and not now are announced as gone.
   */
  public void onLocalCatalog(LocalCatalog catalog, long nowNanos) {
    pump.run("a local catalog", core -> announce(core, catalog, nowNanos));
  }

  /**
   * Pins {@code name} to the version with {@code root}, or unpins it when {@code root} is null (see
   * {@link GossipCore#pin}); returns the signed claim, or null when the core failed to make it
   * (reported to the driver's failure handler).
   *
   * @param nowMillis the wall clock, which orders claims made on different nodes
   */
  public Pin onPin(String name, long version, ChunkId root, long nowMillis, long nowNanos) {
    Pin[] made = new Pin[1];
    pump.run("a pin", core -> made[0] = core.pin(name, version, root, nowMillis, nowNanos));
    if (made[0] != null) {
      follow.onPin(name, made[0]);
      pinsChanged = true;
    }
    return made[0];
  }

  /** A claim this node honoured before it restarted (see {@link GossipCore#restorePin}). */
  public void onPinRestored(String name, Pin pin, Credential pinnerCredential, long nowNanos) {
    pump.run(
        "a restored pin",
        core -> {
          try {
            core.restorePin(name, pin, pinnerCredential, nowNanos);
            follow.onPin(name, pin);
          } catch (IllegalArgumentException e) { // the pinner's credential expired or was revoked
            unannounced.add(new Unannounced(name, "its pin is not restored: " + e.getMessage()));
          }
        });
  }

  // ---------------------------------------------------------------- outputs

  /**
   * Whether a pin claim arrived or was made since the last call: the driver then reads {@link
   * GossipCore#pins} to keep what survives a restart.
   */
  public boolean pollPinsChanged() {
    boolean changed = pinsChanged;
    pinsChanged = false;
    return changed;
  }

  /** The next core event, after the directory applied it; null when none. */
  public GossipEvent pollEvent() {
    return events.poll();
  }

  /** The next member that went down, left or was forgotten while up here; null when none. */
  public NodeId pollGone() {
    return gone.poll();
  }

  /** The next new winner of a name ({@link FollowRule}); null when none. */
  public LearnedWinner pollWinner() {
    return follow.pollWinner();
  }

  /** The next winner to fetch now ({@link FollowRule}); null when none. */
  public Follow pollFollow() {
    return follow.pollFollow();
  }

  /** The next name the core refused to announce; null when none. */
  public Unannounced pollUnannounced() {
    return unannounced.poll();
  }

  /** When the core next has timer work. */
  public long nextDeadlineNanos() {
    return pump.core().nextDeadlineNanos();
  }

  // ---------------------------------------------------------------- queries

  /** Who is up and who holds what; safe to read from any thread. */
  public SwarmDirectory directory() {
    return directory;
  }

  /** The winner of {@code name} as this node knows it; null when it knows no version. */
  public HeldVersion knownWinner(String name) {
    return follow.knownWinner(name);
  }

  /**
   * The follow rule this membership feeds, for a driver that also feeds one without gossip (the
   * simulator's converged directory) and drains both alike; its poll methods are {@link
   * #pollWinner} and {@link #pollFollow}.
   */
  public FollowRule followRule() {
    return follow;
  }

  /** The core, for queries (members, catalogs, winners, credentials); inputs go through here. */
  public GossipCore core() {
    return pump.core();
  }

  // ---------------------------------------------------------------- internals

  private void onCoreEvent(GossipEvent e) {
    if (e instanceof GossipEvent.MemberUp u) {
      feed.memberUp(u.id(), u.address(), u.zone());
    } else if (e instanceof GossipEvent.MemberDown d) {
      memberGone(d.id());
    } else if (e instanceof GossipEvent.MemberLeft l) {
      memberGone(l.id());
    } else if (e instanceof GossipEvent.MemberRemoved r) {
      if (feed.memberForgotten(r.id())) {
        gone.add(r.id());
      }
    } else if (e instanceof GossipEvent.CatalogChanged c) {
      pinsChanged |= feed.catalogChanged(c.owner(), c.name(), c.value());
    }
    events.add(e);
  }

  private void memberGone(NodeId id) {
    if (feed.memberGone(id)) {
      gone.add(id);
    }
  }

  private void announce(GossipCore core, LocalCatalog catalog, long nowNanos) {
    follow.onLocalCatalog(catalog);
    Set<NodeId> refused = new HashSet<>();
    catalog
        .credentials()
        .forEach(
            (publisher, credential) -> {
              try {
                core.setCredential(publisher, credential, nowNanos);
              } catch (IllegalArgumentException e) {
                refused.add(publisher); // expired or revoked since: its versions no longer count
              }
            });
    Map<String, CatalogValue> values = new TreeMap<>();
    catalog.versions().forEach((name, versions) -> values.put(name, newest(versions, refused)));
    for (String name : announcedNames) {
      values.putIfAbsent(name, CatalogValue.removed());
    }
    announcedNames = new TreeSet<>(catalog.versions().keySet());
    values.forEach(
        (name, value) -> {
          try {
            core.setCatalog(name, value, nowNanos);
          } catch (IllegalStateException e) {
            unannounced.add(new Unannounced(name, e.getMessage()));
          }
        });
  }

  /** The newest versions a catalog value can carry, without those of refused publishers. */
  static CatalogValue newest(List<HeldVersion> versions, Set<NodeId> refused) {
    List<HeldVersion> kept = newestOf(versions);
    if (!refused.isEmpty()) {
      List<HeldVersion> trusted = new ArrayList<>();
      for (HeldVersion v : kept) {
        if (!refused.contains(v.publisher())) {
          trusted.add(v);
        }
      }
      kept = trusted;
    }
    return new CatalogValue(kept);
  }

  static List<HeldVersion> newestOf(List<HeldVersion> versions) {
    return versions.subList(
        Math.max(0, versions.size() - CatalogValue.MAX_VERSIONS), versions.size());
  }
}
