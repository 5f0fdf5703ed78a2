package io.shoal.node.core.membership;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.FormatReader;
import io.shoal.chunkstore.FormatWriter;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.SnapshotName;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Pin;
import io.shoal.gossip.Signature;
import io.shoal.gossip.Zone;
import io.shoal.gossip.views.ViewConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of the catalogs that travel over Plumtree ({@link ViewCatalogs}): compact, versioned,
 * and every length bounded, so that each payload fits one broadcast ({@link #MAX_PAYLOAD_BYTES}).
 * Big-endian; {@code utf8} is a u16 byte length and UTF-8.
 *
 * <pre>
 * every payload:   kind u8 (1 part, 2 leave, 3 credential part) | format u8 (1) | body
 * part:            owner 16 | sequence u64 | index u8 | count u8 (1..64)
 *                  | host utf8 (1..253) | port u16 | zone utf8 (0..32) | name utf8 (1..128)
 *                  | versions u8 | per version: version u64 | algorithm u8 | root 16
 *                  |   complete u8 | size u64 | publisher 16 | publication (u8 length + bytes)
 *                  | pin u8 (0 none, 1) [stamp u64 | pinner 16 | version u64
 *                  |   | algorithm u8 + root 16 when version > 0 | signature (u8 length + bytes)]
 *                  | owner's signature (u8 length + bytes)
 * leave:           owner 16 | sequence u64 | owner's signature (u8 length + bytes)
 * credential part: subject 16 | index u8 | count u8 (1..8) | fragment (u16 length + bytes)
 * </pre>
 *
 * The owner signs {@link #LABEL} (utf8) followed by every byte before its signature, so a signature
 * made for another kind of claim never verifies here, and a relay can change nothing. Part of the
 * protocol: a changed layout needs a new format number and a new label.
 */
final class CatalogCodec {
  /** Largest payload, in bytes: one Plumtree broadcast. */
  static final int MAX_PAYLOAD_BYTES = ViewConfig.MAX_PAYLOAD_BYTES;

  /** Most parts of one announcement: each carries at least one version. */
  static final int MAX_PARTS = CatalogValue.MAX_VERSIONS;

  /** Largest credential fragment, in bytes, so a fragment and its header fit one payload. */
  static final int CREDENTIAL_FRAGMENT_BYTES = 896;

  /** Most fragments of one credential: {@link ClaimAuthority#MAX_CREDENTIAL_BYTES} / 896, up. */
  static final int MAX_CREDENTIAL_PARTS =
      (ClaimAuthority.MAX_CREDENTIAL_BYTES + CREDENTIAL_FRAGMENT_BYTES - 1)
          / CREDENTIAL_FRAGMENT_BYTES;

  static final String LABEL = "shoal/view-catalog/v1";

  static final int KIND_PART = 1;
  static final int KIND_LEAVE = 2;
  static final int KIND_CREDENTIAL = 3;
  static final int FORMAT = 1;

  private static final int MAX_SIG = ClaimAuthority.MAX_SIGNATURE_BYTES;
  private static final int MAX_NAME_BYTES = SnapshotName.MAX_NAME_CHARS;
  private static final int MAX_HOST_BYTES = Endpoint.MAX_HOST_CHARS;

  private CatalogCodec() {}

  /**
   * The signed parts announcing {@code value} for {@code name}, versions in order, as few as fit.
   *
   * @throws IllegalArgumentException when one version and the fixed fields do not fit a payload
   */
  static List<byte[]> announcement(
      NodeId owner,
      long sequence,
      Endpoint address,
      String zone,
      String name,
      CatalogValue value,
      ClaimAuthority signer) {
    int fixed = part(owner, sequence, 0, 1, address, zone, name, List.of(), value.pin()).size();
    int room = MAX_PAYLOAD_BYTES - fixed - 1 - MAX_SIG;
    List<List<HeldVersion>> groups = new ArrayList<>();
    List<HeldVersion> group = new ArrayList<>();
    int used = 0;
    for (HeldVersion v : value.versions()) {
      int size = versionBytes(v);
      if (size > room) {
        throw new IllegalArgumentException(
            name
                + ": a version and the announcement's fields exceed "
                + MAX_PAYLOAD_BYTES
                + " bytes");
      }
      if (used + size > room) {
        groups.add(group);
        group = new ArrayList<>();
        used = 0;
      }
      group.add(v);
      used += size;
    }
    groups.add(group);
    List<byte[]> out = new ArrayList<>(groups.size());
    for (int i = 0; i < groups.size(); i++) {
      FormatWriter w =
          part(owner, sequence, i, groups.size(), address, zone, name, groups.get(i), value.pin());
      out.add(signed(w, signer));
    }
    return out;
  }

  /** The owner's signed leave at {@code sequence}. */
  static byte[] leave(NodeId owner, long sequence, ClaimAuthority signer) {
    FormatWriter w = new FormatWriter(48).u8(KIND_LEAVE).u8(FORMAT);
    nodeId(w, owner).u64(sequence);
    return signed(w, signer);
  }

  /** The fragments of {@code subject}'s credential (none for an empty one). */
  static List<byte[]> credential(NodeId subject, byte[] credential) {
    int count = (credential.length + CREDENTIAL_FRAGMENT_BYTES - 1) / CREDENTIAL_FRAGMENT_BYTES;
    List<byte[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = i * CREDENTIAL_FRAGMENT_BYTES;
      byte[] fragment =
          Arrays.copyOfRange(
              credential, from, Math.min(credential.length, from + CREDENTIAL_FRAGMENT_BYTES));
      FormatWriter w = new FormatWriter(32 + fragment.length).u8(KIND_CREDENTIAL).u8(FORMAT);
      nodeId(w, subject).u8(i).u8(count).u16(fragment.length).bytes(fragment);
      out.add(w.toByteArray());
    }
    return out;
  }

  /** The bytes a signature of this payload covers: the label, then its first {@code length}. */
  static byte[] signedBytes(byte[] payload, int length) {
    FormatWriter w = new FormatWriter(32 + length).utf8u16(LABEL);
    return w.bytes(Arrays.copyOf(payload, length)).toByteArray();
  }

  /**
   * Decodes one payload; checks its fields and bounds, not its signatures.
   *
   * @throws FormatException naming the field that is malformed or out of bounds
   */
  static CatalogPayload decode(byte[] bytes) throws FormatException {
    if (bytes.length > MAX_PAYLOAD_BYTES) {
      throw new FormatException(
          "catalog payload of " + bytes.length + " bytes exceeds " + MAX_PAYLOAD_BYTES);
    }
    FormatReader r = new FormatReader(bytes, "catalog payload");
    int kind = r.u8("kind");
    r.version(1, FORMAT, FORMAT);
    CatalogPayload out;
    if (kind == KIND_PART) {
      out = decodePart(r, bytes);
    } else if (kind == KIND_LEAVE) {
      NodeId owner = nodeId(r);
      long sequence = r.u64("sequence", Long.MAX_VALUE);
      int signedLength = r.position();
      out = new CatalogPayload.Leave(owner, sequence, sig(r), signedLength, bytes);
    } else if (kind == KIND_CREDENTIAL) {
      NodeId subject = nodeId(r);
      int index = r.u8("index");
      int count = r.u8("count");
      if (count < 1 || count > MAX_CREDENTIAL_PARTS || index >= count) {
        throw r.error("credential part " + index + " of " + count);
      }
      byte[] fragment = r.bytesU16("fragment", CREDENTIAL_FRAGMENT_BYTES);
      out = new CatalogPayload.CredentialPart(subject, index, count, fragment, bytes);
    } else {
      throw r.error("unknown kind " + kind);
    }
    r.expectEnd();
    return out;
  }

  private static CatalogPayload.Part decodePart(FormatReader r, byte[] bytes)
      throws FormatException {
    NodeId owner = nodeId(r);
    long sequence = r.u64("sequence", Long.MAX_VALUE);
    int index = r.u8("index");
    int count = r.u8("count");
    if (count < 1 || count > MAX_PARTS || index >= count) {
      throw r.error("part " + index + " of " + count);
    }
    String host = r.utf8u16("host", MAX_HOST_BYTES);
    int port = r.u16("port");
    if (host.isEmpty() || port == 0) {
      throw r.error("bad address " + host + ":" + port);
    }
    String zone = r.utf8u16("zone", Zone.MAX_CHARS);
    String name = r.utf8u16("name", MAX_NAME_BYTES);
    if (!Zone.isValid(zone) || name.isEmpty()) {
      throw r.error("bad zone '" + zone + "' or empty name");
    }
    int n = r.u8("versions");
    if (n > CatalogValue.MAX_VERSIONS) {
      throw r.error(n + " versions exceed " + CatalogValue.MAX_VERSIONS);
    }
    List<HeldVersion> versions = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long version = r.u64("version", Long.MAX_VALUE);
      ChunkId root = root(r);
      int complete = r.u8("complete");
      long size = r.u64("size", Long.MAX_VALUE);
      NodeId publisher = nodeId(r);
      Signature publication = Signature.of(sig(r));
      if (version < 1 || complete > 1) {
        throw r.error("bad held version " + version);
      }
      versions.add(new HeldVersion(version, root, complete == 1, size, publisher, publication));
    }
    Pin pin = r.u8("pin") == 1 ? pin(r) : null;
    int signedLength = r.position();
    return new CatalogPayload.Part(
        owner,
        sequence,
        index,
        count,
        new Endpoint(host, port),
        zone,
        name,
        versions,
        pin,
        sig(r),
        signedLength,
        bytes);
  }

  private static Pin pin(FormatReader r) throws FormatException {
    long stamp = r.u64("pin stamp", Long.MAX_VALUE);
    NodeId pinner = nodeId(r);
    long version = r.u64("pin version", Long.MAX_VALUE);
    ChunkId root = version == 0 ? null : root(r);
    return new Pin(stamp, pinner, version, root, Signature.of(sig(r)));
  }

  private static FormatWriter part(
      NodeId owner,
      long sequence,
      int index,
      int count,
      Endpoint address,
      String zone,
      String name,
      List<HeldVersion> versions,
      Pin pin) {
    FormatWriter w = new FormatWriter(MAX_PAYLOAD_BYTES).u8(KIND_PART).u8(FORMAT);
    nodeId(w, owner).u64(sequence).u8(index).u8(count);
    w.utf8u16(address.host()).u16(address.port()).utf8u16(zone).utf8u16(name);
    w.u8(versions.size());
    for (HeldVersion v : versions) {
      version(w, v);
    }
    if (pin == null) {
      return w.u8(0);
    }
    w.u8(1).u64(pin.stamp());
    nodeId(w, pin.pinner()).u64(pin.version());
    if (pin.root() != null) {
      w.u8(pin.root().algorithm().code()).chunkId(pin.root());
    }
    byte[] s = pin.signature().bytes();
    return w.u8(s.length).bytes(s);
  }

  private static void version(FormatWriter w, HeldVersion v) {
    w.u64(v.version()).u8(v.root().algorithm().code()).chunkId(v.root());
    w.u8(v.complete() ? 1 : 0).u64(v.sizeBytes());
    nodeId(w, v.publisher());
    byte[] s = v.publication().bytes();
    w.u8(s.length).bytes(s);
  }

  private static int versionBytes(HeldVersion v) {
    return 8 + 1 + ChunkId.DIGEST_BYTES + 1 + 8 + 16 + 1 + v.publication().length();
  }

  private static byte[] signed(FormatWriter w, ClaimAuthority signer) {
    byte[] body = w.toByteArray();
    byte[] s = signer.sign(signedBytes(body, body.length));
    if (s.length > MAX_SIG) {
      throw new IllegalStateException("signature of " + s.length + " bytes exceeds " + MAX_SIG);
    }
    return w.u8(s.length).bytes(s).toByteArray();
  }

  private static ChunkId root(FormatReader r) throws FormatException {
    HashAlgorithm algorithm;
    try {
      algorithm = HashAlgorithm.fromCode(r.u8("algorithm"));
    } catch (FormatException e) {
      throw r.error(e.getMessage());
    }
    return r.chunkId(algorithm, "root");
  }

  private static byte[] sig(FormatReader r) throws FormatException {
    int length = r.u8("signature length");
    if (length > MAX_SIG) {
      throw r.error("signature of " + length + " bytes exceeds " + MAX_SIG);
    }
    return r.bytes(length, "signature");
  }

  private static NodeId nodeId(FormatReader r) throws FormatException {
    return new NodeId(r.i64("id high"), r.i64("id low"));
  }

  private static FormatWriter nodeId(FormatWriter w, NodeId id) {
    return w.u64(id.high()).u64(id.low());
  }
}
