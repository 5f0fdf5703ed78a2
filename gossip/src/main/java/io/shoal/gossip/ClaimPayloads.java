package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatWriter;

/**
 * The bytes each kind of claim is signed over. Each starts with its own label, so a signature made
 * for one kind never verifies as another, and encodes every field the claim asserts, so none can be
 * changed in transit. Part of the protocol: changing a layout needs a new label.
 *
 * <pre>
 * member record:    "shoal/member/v1"      | id 16 | host (u16 length + UTF-8) | port u16
 *                                          | incarnation u64 | state u8 (1 ALIVE, 4 LEFT)
 * catalog entry:    "shoal/catalog/v1"     | owner 16 | generation u64 | version u64 | name
 *                                          | count u16 | per held version: version u64
 *                                          | root (algorithm u8 + 16)
 *                                          | complete u8 | size u64 | publisher 16
 *                                          | publication (u16 length + bytes)
 *                                          | then, only when the entry carries a pin:
 *                                          | u8 1 | the pin's fields below, without its label
 *                                          | its signature (u16 length + bytes)
 * credential entry: "shoal/credential/v1"  | owner 16 | generation u64 | version u64 | subject 16
 *                                          | credential (u16 length + bytes)
 * publication:      "shoal/publication/v1" | name | version u64 | root (algorithm u8 + 16)
 * pin:              "shoal/pin/v1"         | name | stamp u64 | pinner 16 | version u64
 *                                          | root (algorithm u8 + 16), absent for an unpin
 * </pre>
 */
public final class ClaimPayloads {
  private static final String MEMBER = "shoal/member/v2";
  private static final String CATALOG = "shoal/catalog/v1";
  private static final String CREDENTIAL = "shoal/credential/v1";
  private static final String PUBLICATION = "shoal/publication/v1";
  private static final String PIN = "shoal/pin/v1";

  private ClaimPayloads() {}

  /**
   * What a member signs about itself at an incarnation: that it is alive at {@code address}, or
   * that it left. Claims of suspicion and death carry the member's ALIVE record as evidence of the
   * incarnation they name.
   */
  public static byte[] memberRecord(NodeId id, Endpoint address, long incarnation, boolean left) {
    return memberRecord(id, address, incarnation, left, Zone.NONE);
  }

  /** A member's record with its zone (empty for none), which a relay cannot change either. */
  public static byte[] memberRecord(
      NodeId id, Endpoint address, long incarnation, boolean left, String zone) {
    FormatWriter w = new FormatWriter(64).utf8u16(MEMBER);
    nodeId(w, id);
    w.utf8u16(address.host()).u16(address.port()).u64(incarnation).u8(left ? 4 : 1);
    w.utf8u16(zone);
    return w.toByteArray();
  }

  /** What an owner signs for one catalog entry of its map. */
  public static byte[] catalogEntry(
      NodeId owner, long generation, long version, String name, CatalogValue value) {
    FormatWriter w = new FormatWriter(96 + value.estimatedBytes()).utf8u16(CATALOG);
    nodeId(w, owner);
    w.u64(generation).u64(version).utf8u16(name).u16(value.versions().size());
    for (HeldVersion v : value.versions()) {
      w.u64(v.version()).u8(v.root().algorithm().code()).chunkId(v.root());
      w.u8(v.complete() ? 1 : 0).u64(v.sizeBytes());
      nodeId(w, v.publisher());
      byte[] sig = v.publication().unsafeBytes();
      w.u16(sig.length).bytes(sig);
    }
    Pin pin = value.pin();
    if (pin != null) {
      w.u8(1);
      pinFields(w, name, pin.stamp(), pin.pinner(), pin.version(), pin.root());
      byte[] sig = pin.signature().unsafeBytes();
      w.u16(sig.length).bytes(sig);
    }
    return w.toByteArray();
  }

  /** What an owner signs for one credential entry of its map. */
  public static byte[] credentialEntry(
      NodeId owner, long generation, long version, NodeId subject, Credential credential) {
    FormatWriter w = new FormatWriter(96 + credential.length()).utf8u16(CREDENTIAL);
    nodeId(w, owner);
    w.u64(generation).u64(version);
    nodeId(w, subject);
    byte[] c = credential.unsafeBytes();
    w.u16(c.length).bytes(c);
    return w.toByteArray();
  }

  /** What a publisher signs when it publishes {@code name@version} with this root. */
  public static byte[] publication(String name, long version, ChunkId root) {
    return new FormatWriter(64)
        .utf8u16(PUBLICATION)
        .utf8u16(name)
        .u64(version)
        .u8(root.algorithm().code())
        .chunkId(root)
        .toByteArray();
  }

  /** What a pinner signs when it pins {@code name} to (version, root), or unpins it (root null). */
  public static byte[] pin(String name, long stamp, NodeId pinner, long version, ChunkId root) {
    return pinFields(new FormatWriter(96).utf8u16(PIN), name, stamp, pinner, version, root)
        .toByteArray();
  }

  private static FormatWriter pinFields(
      FormatWriter w, String name, long stamp, NodeId pinner, long version, ChunkId root) {
    w.utf8u16(name).u64(stamp);
    nodeId(w, pinner);
    w.u64(version);
    if (root != null) {
      w.u8(root.algorithm().code()).chunkId(root);
    }
    return w;
  }

  static byte[] of(OwnerEntry e) {
    if (e instanceof CatalogDelta d) {
      return catalogEntry(d.owner(), d.generation(), d.version(), d.name(), d.value());
    }
    CredentialDelta c = (CredentialDelta) e;
    return credentialEntry(c.owner(), c.generation(), c.version(), c.subject(), c.credential());
  }

  private static void nodeId(FormatWriter w, NodeId id) {
    w.u64(id.high()).u64(id.low());
  }
}
