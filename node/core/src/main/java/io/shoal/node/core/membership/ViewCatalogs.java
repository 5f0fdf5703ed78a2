package io.shoal.node.core.membership;

import io.shoal.chunkstore.FormatException;
import io.shoal.gossip.CatalogSource;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.Credential;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Zone;
import io.shoal.node.core.membership.CatalogPayload.CredentialPart;
import io.shoal.node.core.membership.CatalogPayload.Leave;
import io.shoal.node.core.membership.CatalogPayload.Part;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The catalogs of partial-view mode: what {@link Membership} does with catalogs, for a node whose
 * catalog news travels over Plumtree ({@code ViewCore}) rather than by anti-entropy. Each owner
 * announces its catalog per name as signed payloads ({@link CatalogCodec}: its id, address, zone, a
 * sequence number, the name and the value), which the driver broadcasts and delivers back here; a
 * received announcement is checked (the owner's signature, every publisher's and the pinner's),
 * kept when newer than the owner's last one for the name, and fed to the {@link SwarmDirectory} and
 * the {@link FollowRule} through the same {@link DirectoryFeed} as full membership, so a node
 * follows the same winners from the same catalogs either way.
 *
 * <p>Credentials (up to 4 KiB, larger than a broadcast) travel once per node, in fragments; the
 * keys they admit are kept ({@link CredentialCache}), and a payload whose signer's key is not known
 * yet waits, at most {@link #MAX_AWAITING} of them. Plumtree delivers only what is broadcast after
 * a node joins, so a node whose active view gains a neighbour asks it for its table ({@link
 * #syncFor}), page by page, as the original signed payloads. An owner's signed leave drops its
 * announcements everywhere; a holder the fetcher failed on is marked down here until its next
 * announcement.
 *
 * <p>Inputs are {@code on…} methods and {@link #announce}; outputs are drained by the driver after
 * every input with {@code poll…}: each input adds at most one sync page's worth to each queue.
 * Sans-IO and single-threaded: the driver owns the thread; the directory alone may be read from
 * other threads.
 */
public final class ViewCatalogs {
  /** Most owners held ({@link CatalogTable#MAX_OWNERS}); a new owner beyond is refused. */
  public static final int MAX_OWNERS = CatalogTable.MAX_OWNERS;

  /** Most names an owner announces ({@link CatalogTable#MAX_NAMES_PER_OWNER}). */
  public static final int MAX_NAMES_PER_OWNER = CatalogTable.MAX_NAMES_PER_OWNER;

  /** Largest payload this layer makes or accepts, in bytes: one Plumtree broadcast. */
  public static final int MAX_PAYLOAD_BYTES = CatalogCodec.MAX_PAYLOAD_BYTES;

  /** Most payloads queued for broadcast; beyond, the oldest is dropped and counted. */
  public static final int MAX_QUEUED_BROADCASTS = 4096;

  /**
   * Most received payloads waiting for their signer's credential; beyond, the oldest is refused.
   */
  public static final int MAX_AWAITING = 256;

  /** Most neighbours whose sync cursor is remembered, to refuse a sync that does not advance. */
  static final int MAX_SYNCS = 32;

  private final NodeId self;
  private final Endpoint address;
  private final String zone;
  private final ClaimAuthority authority;
  private final CatalogTable table = new CatalogTable();
  private final CredentialCache credentials;
  private final PartAssembly assembly = new PartAssembly();
  private final CatalogChecks checks;
  private final DirectoryFeed feed;
  private final Map<String, CatalogValue> announced = new TreeMap<>();
  private final ArrayDeque<byte[]> broadcasts = new ArrayDeque<>();
  private final ArrayDeque<byte[]> awaiting = new ArrayDeque<>();
  private final ArrayDeque<NodeId> gone = new ArrayDeque<>();
  private final ArrayDeque<Unannounced> unannounced = new ArrayDeque<>();
  private final EnumMap<CatalogRefusal, Long> refusals = new EnumMap<>(CatalogRefusal.class);
  private final Map<NodeId, byte[]> syncCursors =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, byte[]> eldest) {
          return size() > MAX_SYNCS;
        }
      };
  private long sequence;
  private long droppedBroadcasts;
  private long syncsDone;
  private final TableSource source;
  private boolean credentialSent;

  /**
   * @param address where this node listens, as its announcements say
   * @param zone this node's zone, empty for none
   * @param followPatterns the names whose winners this node fetches ({@link FollowRule})
   * @param firstSequence past every sequence number this node used before (the driver passes the
   *     wall clock in microseconds at start), so a restarted node's announcements replace its
   *     previous life's
   */
  public ViewCatalogs(
      NodeId self,
      Endpoint address,
      String zone,
      ClaimAuthority authority,
      List<String> followPatterns,
      long firstSequence) {
    this.self = Objects.requireNonNull(self, "self");
    this.address = Objects.requireNonNull(address, "address");
    this.zone = Zone.check(zone);
    this.authority = Objects.requireNonNull(authority, "authority");
    if (firstSequence < 0) {
      throw new IllegalArgumentException("firstSequence " + firstSequence + " is negative");
    }
    this.sequence = firstSequence;
    this.credentials = new CredentialCache(authority);
    this.checks = new CatalogChecks(authority, credentials);
    SwarmDirectory directory = new SwarmDirectory(self);
    this.feed =
        new DirectoryFeed(
            directory, new FollowRule(self, followPatterns, credentials::credentialOf));
    this.source = new TableSource(self, table, checks, credentials, () -> syncsDone);
  }

  // ---------------------------------------------------------------- inputs

  /**
   * This node's catalog for {@code name} is now {@code value} (empty: no longer held): queues its
   * signed announcement, and this node's credential before its first one. A value that cannot be
   * announced (too many names, a version too large for a payload) is reported by {@link
   * #pollUnannounced}.
   */
  public void announce(String name, CatalogValue value, long nowNanos) {
    if (!announced.containsKey(name) && announced.size() >= MAX_NAMES_PER_OWNER) {
      unannounced.add(new Unannounced(name, "more than " + MAX_NAMES_PER_OWNER + " names"));
      return;
    }
    List<byte[]> parts;
    try {
      parts = CatalogCodec.announcement(self, sequence + 1, address, zone, name, value, authority);
    } catch (IllegalArgumentException e) {
      unannounced.add(new Unannounced(name, e.getMessage()));
      return;
    }
    sequence++;
    sendOwnCredential();
    table.put(self, name, new CatalogTable.Entry(sequence, value, parts));
    if (value.versions().isEmpty() && value.pin() == null) {
      announced.remove(name);
    } else {
      announced.put(name, value);
    }
    if (value.pin() != null) {
      feed.follow().onPin(name, value.pin());
    }
    parts.forEach(this::queueBroadcast);
  }

  /**
   * What this node holds now, as {@link Membership#onLocalCatalog} takes it: announces each name
   * whose newest {@link CatalogValue#MAX_VERSIONS} versions changed, without those of publishers
   * whose credential the authority refuses, and names held before and not now as gone; the
   * publishers' credentials travel too, so their signatures stay checkable after they leave.
   */
  public void onLocalCatalog(LocalCatalog catalog, long nowNanos) {
    feed.follow().onLocalCatalog(catalog);
    Set<NodeId> refused = new HashSet<>();
    catalog
        .credentials()
        .forEach(
            (publisher, credential) -> {
              List<byte[]> parts =
                  authority.isSigning() ? credentials.put(publisher, credential) : List.of();
              if (parts == null) {
                refused.add(publisher);
              } else {
                parts.forEach(this::queueBroadcast);
              }
            });
    Map<String, CatalogValue> values = new TreeMap<>();
    catalog
        .versions()
        .forEach((name, versions) -> values.put(name, Membership.newest(versions, refused)));
    for (String name : announced.keySet()) {
      values.putIfAbsent(name, CatalogValue.removed());
    }
    values.forEach(
        (name, value) -> {
          CatalogValue before = announced.get(name);
          boolean keepsPin = before != null && !value.versions().isEmpty();
          CatalogValue next = keepsPin ? value.withPin(before.pin()) : value;
          if (before == null ? !next.versions().isEmpty() : !before.equals(next)) {
            announce(name, next, nowNanos);
          }
        });
  }

  /** This node leaves: queues its signed leave, which drops its announcements everywhere. */
  public void onLeave(long nowNanos) {
    sequence++;
    table.leave(self, sequence); // a sync no longer serves what it announced
    queueBroadcast(CatalogCodec.leave(self, sequence, authority));
  }

  /** A payload Plumtree delivered (shared, never modified); refusals are counted, never thrown. */
  public void onDelivery(byte[] payload, long nowNanos) {
    receive(payload);
  }

  /**
   * The fetcher tried {@code owner} as a holder and failed: it is marked down here (its holdings
   * stay, unused) until its next announcement says it is up.
   */
  public void onHolderFailed(NodeId owner, long nowNanos) {
    CatalogTable.Owner o = table.owner(owner);
    if (o != null && o.up) {
      o.up = false;
      if (feed.memberGone(owner)) {
        gone.add(owner);
      }
    }
  }

  /** The request to send a neighbour this node's active view just gained: the first page. */
  public CatalogSyncRequest syncFor(NodeId neighbour) {
    syncCursors.put(neighbour, new byte[0]);
    return CatalogSyncRequest.start();
  }

  /** A neighbour's request: the page of this node's table it asks for (empty when malformed). */
  public CatalogSyncPage onSyncRequest(NodeId from, CatalogSyncRequest request) {
    CatalogSyncPage page =
        request == null || request.cursor() == null
            ? null
            : CatalogSync.page(table, credentials, request.cursor());
    if (page == null) {
      refuse(CatalogRefusal.MALFORMED);
      return new CatalogSyncPage(List.of(), new byte[0]);
    }
    return page;
  }

  /**
   * A page of a neighbour's table: its payloads count like deliveries; returns the request for the
   * next page, or null when the sync is over (the last page, or a page refused whole).
   */
  public CatalogSyncRequest onSyncPage(NodeId from, CatalogSyncPage page, long nowNanos) {
    if (page == null || page.payloads() == null || page.next() == null) {
      refuse(CatalogRefusal.MALFORMED);
      return null;
    }
    if (page.payloads().size() > CatalogSyncPage.MAX_PAYLOADS
        || page.next().length > CatalogSyncRequest.MAX_CURSOR_BYTES) {
      refuse(CatalogRefusal.OVERSIZED);
      return null;
    }
    byte[] previous = syncCursors.getOrDefault(from, new byte[0]);
    if (!page.isLast() && !CatalogSync.isPast(page.next(), previous)) {
      refuse(CatalogRefusal.MALFORMED); // a cursor that does not advance would sync forever
      syncCursors.remove(from);
      return null;
    }
    for (byte[] payload : page.payloads()) {
      receive(payload);
    }
    if (page.isLast()) {
      syncsDone++;
      syncCursors.remove(from);
      return null;
    }
    syncCursors.put(from, page.next());
    return new CatalogSyncRequest(page.next());
  }

  // ---------------------------------------------------------------- outputs

  /** The next payload to broadcast; null when none. */
  public byte[] pollBroadcast() {
    return broadcasts.poll();
  }

  /** The next member that left or that a fetch found down while up here; null when none. */
  public NodeId pollGone() {
    return gone.poll();
  }

  /** The next new winner of a name ({@link FollowRule}); null when none. */
  public LearnedWinner pollWinner() {
    return feed.follow().pollWinner();
  }

  /** The next winner to fetch now ({@link FollowRule}); null when none. */
  public Follow pollFollow() {
    return feed.follow().pollFollow();
  }

  /** The next name this node could not announce; null when none. */
  public Unannounced pollUnannounced() {
    return unannounced.poll();
  }

  // ---------------------------------------------------------------- queries

  /** Who is up and who holds what; safe to read from any thread. */
  public SwarmDirectory directory() {
    return feed.directory();
  }

  /** Its follow rule: the winners known, and the input and timer of failed follows. */
  public FollowRule followRule() {
    return feed.follow();
  }

  /** How many payloads or pages were refused for {@code reason}. */
  public long refusals(CatalogRefusal reason) {
    return refusals.getOrDefault(reason, 0L);
  }

  /** How many queued broadcasts were dropped because the driver did not drain them. */
  public long droppedBroadcasts() {
    return droppedBroadcasts;
  }

  /** How many owners the table holds, this node and departed owners included. */
  public int owners() {
    return table.size();
  }

  /** How many received payloads wait for their signer's credential. */
  int awaiting() {
    return awaiting.size();
  }

  /** The credential of {@code subject} this node admitted, or null. */
  public Credential credentialOf(NodeId subject) {
    return credentials.credentialOf(subject);
  }

  /** The owners up and what they announce; read on this layer's thread, like its inputs. */
  public CatalogSource source() {
    return source;
  }

  // ---------------------------------------------------------------- internals

  private void receive(byte[] payload) {
    if (payload == null || payload.length > MAX_PAYLOAD_BYTES) {
      refuse(CatalogRefusal.OVERSIZED);
      return;
    }
    CatalogPayload p;
    try {
      p = CatalogCodec.decode(payload);
    } catch (FormatException | RuntimeException e) { // hostile bytes: one refusal, no exception
      refuse(CatalogRefusal.MALFORMED);
      return;
    }
    if (p instanceof CredentialPart c) {
      onCredentialPart(c);
    } else if (p instanceof Part part) {
      onPart(part);
    } else {
      onLeave((Leave) p);
    }
  }

  private void onCredentialPart(CredentialPart c) {
    CredentialCache.Outcome outcome = credentials.onPart(c);
    if (outcome == CredentialCache.Outcome.FORGED) {
      refuse(CatalogRefusal.FORGED);
    } else if (outcome == CredentialCache.Outcome.ADMITTED) {
      List<byte[]> again = new ArrayList<>(awaiting);
      awaiting.clear();
      again.forEach(this::receive);
    }
  }

  private void onPart(Part part) {
    if (part.owner().equals(self)) {
      return;
    }
    if (table.isStale(part.owner(), part.name(), part.sequence())) {
      refuse(CatalogRefusal.STALE);
      return;
    }
    if (!isChecked(part, checks.check(part))) {
      return;
    }
    List<Part> parts = assembly.add(part);
    refusals.merge(CatalogRefusal.INCOMPLETE, assembly.pollDropped(), Long::sum);
    if (parts != null) {
      apply(parts);
    }
  }

  private void apply(List<Part> parts) {
    Part first = parts.get(0);
    List<HeldVersion> versions = new ArrayList<>();
    List<byte[]> bytes = new ArrayList<>(parts.size());
    for (Part p : parts) {
      if (!p.address().equals(first.address())
          || !p.zone().equals(first.zone())
          || !Objects.equals(p.pin(), first.pin())) {
        refuse(CatalogRefusal.MALFORMED);
        return;
      }
      versions.addAll(p.versions());
      bytes.add(p.bytes());
    }
    CatalogValue value;
    try {
      value = new CatalogValue(versions, first.pin());
    } catch (IllegalArgumentException e) { // versions out of order: the owner signed nonsense
      refuse(CatalogRefusal.MALFORMED);
      return;
    }
    NodeId owner = first.owner();
    CatalogRefusal refused =
        table.put(owner, first.name(), new CatalogTable.Entry(first.sequence(), value, bytes));
    if (refused != null) {
      refuse(refused);
      return;
    }
    CatalogTable.Owner o = table.owner(owner);
    if (!o.up || !first.address().equals(o.address) || !first.zone().equals(o.zone)) {
      o.up = true;
      o.address = first.address();
      o.zone = first.zone();
      feed.memberUp(owner, o.address, o.zone);
    }
    feed.catalogChanged(owner, first.name(), checks.trusted(value));
  }

  private void onLeave(Leave leave) {
    if (leave.owner().equals(self)) {
      return;
    }
    CatalogTable.Owner o = table.owner(leave.owner());
    if (o != null && leave.sequence() <= o.leftSequence) {
      refuse(CatalogRefusal.STALE);
      return;
    }
    if (!isChecked(leave, checks.check(leave))) {
      return;
    }
    CatalogRefusal refused = table.leave(leave.owner(), leave.sequence());
    if (refused != null) {
      refuse(refused);
    } else if (feed.memberForgotten(leave.owner())) {
      gone.add(leave.owner());
    }
  }

  /** Whether the payload passed its checks; else it waits for a key or is refused. */
  private boolean isChecked(CatalogPayload p, CatalogRefusal refused) {
    if (refused == CatalogRefusal.UNVERIFIABLE) {
      awaiting.add(p.bytes());
      if (awaiting.size() > MAX_AWAITING) {
        awaiting.poll();
        refuse(CatalogRefusal.UNVERIFIABLE);
      }
      return false;
    }
    if (refused != null) {
      refuse(refused);
      return false;
    }
    return true;
  }

  private void sendOwnCredential() {
    if (credentialSent || !authority.isSigning()) {
      return;
    }
    credentialSent = true;
    List<byte[]> parts = credentials.put(self, Credential.of(authority.ownCredential()));
    if (parts != null) {
      parts.forEach(this::queueBroadcast);
    }
  }

  private void queueBroadcast(byte[] payload) {
    broadcasts.add(payload);
    if (broadcasts.size() > MAX_QUEUED_BROADCASTS) {
      broadcasts.poll();
      droppedBroadcasts++;
    }
  }

  private void refuse(CatalogRefusal reason) {
    refusals.merge(reason, 1L, Long::sum);
  }
}
