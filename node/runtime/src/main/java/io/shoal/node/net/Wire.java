package io.shoal.node.net;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.SnapshotName;
import io.shoal.gossip.CatalogDelta;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.Credential;
import io.shoal.gossip.CredentialDelta;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipUpdate;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.MemberState;
import io.shoal.gossip.MemberUpdate;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.OwnerDigest;
import io.shoal.gossip.OwnerEntry;
import io.shoal.gossip.Pin;
import io.shoal.gossip.Signature;
import io.shoal.gossip.Zone;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Field encodings shared by the message serializers. Every read checks its bound before it
 * allocates, because Kryo's own string and collection readers trust the declared length.
 */
final class Wire {
  private static final int UPDATE_MEMBER = 1;
  private static final int UPDATE_CATALOG = 2;
  private static final int UPDATE_CREDENTIAL = 3;

  private Wire() {}

  static void writeString(Output out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeVarInt(b.length, true);
    out.writeBytes(b);
  }

  static String readString(Input in, int maxBytes, String field) {
    int n = readCount(in, maxBytes, field + " length");
    byte[] b = in.readBytes(n);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedMessageException(field + " is not valid UTF-8");
    }
  }

  /** A varint count, refused when negative, above {@code max}, or past the bytes left. */
  static int readCount(Input in, int max, String field) {
    int n = in.readVarInt(true);
    if (n < 0 || n > max) {
      throw new MalformedMessageException(field + " = " + n + " is out of range (max " + max + ")");
    }
    if (n > in.limit() - in.position()) {
      throw new MalformedMessageException(
          field + " = " + n + " but only " + (in.limit() - in.position()) + " bytes remain");
    }
    return n;
  }

  static long readNonNegativeLong(Input in, String field) {
    long v = in.readVarLong(true);
    if (v < 0) {
      throw new MalformedMessageException(field + " = " + v + " is negative");
    }
    return v;
  }

  static void writeNodeId(Output out, NodeId id) {
    out.writeLong(id.high());
    out.writeLong(id.low());
  }

  static NodeId readNodeId(Input in) {
    return new NodeId(in.readLong(), in.readLong());
  }

  static void writeEndpoint(Output out, Endpoint e) {
    writeString(out, e.host());
    out.writeVarInt(e.port(), true);
  }

  static Endpoint readEndpoint(Input in) {
    String host = readString(in, Endpoint.MAX_HOST_CHARS * 4, "host");
    int port = in.readVarInt(true);
    try {
      return new Endpoint(host, port);
    } catch (IllegalArgumentException e) {
      throw new MalformedMessageException(e.getMessage());
    }
  }

  static void writeChunkId(Output out, ChunkId id) {
    out.writeByte(id.algorithm().code());
    out.writeLong(id.high());
    out.writeLong(id.low());
  }

  static ChunkId readChunkId(Input in) {
    int code = in.readByte();
    try {
      return new ChunkId(HashAlgorithm.fromCode(code), in.readLong(), in.readLong());
    } catch (FormatException e) {
      throw new MalformedMessageException(e.getMessage());
    }
  }

  static void writeUpdates(Output out, List<GossipUpdate> updates) {
    out.writeVarInt(updates.size(), true);
    for (GossipUpdate u : updates) {
      if (u instanceof MemberUpdate m) {
        out.writeByte(UPDATE_MEMBER);
        writeMember(out, m);
      } else {
        writeEntry(out, (OwnerEntry) u);
      }
    }
  }

  static List<GossipUpdate> readUpdates(Input in, int max) {
    int n = readCount(in, max, "update count");
    List<GossipUpdate> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int kind = in.readByte();
      out.add(kind == UPDATE_MEMBER ? readMember(in) : readEntry(in, kind));
    }
    return out;
  }

  private static void writeEntry(Output out, OwnerEntry e) {
    if (e instanceof CatalogDelta d) {
      out.writeByte(UPDATE_CATALOG);
      writeDelta(out, d);
    } else {
      out.writeByte(UPDATE_CREDENTIAL);
      writeCredentialDelta(out, (CredentialDelta) e);
    }
  }

  private static OwnerEntry readEntry(Input in, int kind) {
    if (kind == UPDATE_CATALOG) {
      return readDelta(in);
    } else if (kind == UPDATE_CREDENTIAL) {
      return readCredentialDelta(in);
    }
    throw new MalformedMessageException("unknown update kind " + kind);
  }

  static void writeSignature(Output out, Signature s) {
    byte[] b = s.bytes();
    out.writeVarInt(b.length, true);
    out.writeBytes(b);
  }

  static Signature readSignature(Input in, String field) {
    int n = readCount(in, ClaimAuthority.MAX_SIGNATURE_BYTES, field + " length");
    return Signature.of(in.readBytes(n));
  }

  static void writeCredential(Output out, Credential c) {
    byte[] b = c.bytes();
    out.writeVarInt(b.length, true);
    out.writeBytes(b);
  }

  static Credential readCredential(Input in) {
    int n = readCount(in, ClaimAuthority.MAX_CREDENTIAL_BYTES, "credential length");
    return Credential.of(in.readBytes(n));
  }

  static void writeCredentialDelta(Output out, CredentialDelta d) {
    writeNodeId(out, d.owner());
    out.writeVarLong(d.generation(), true);
    out.writeVarLong(d.version(), true);
    writeNodeId(out, d.subject());
    writeCredential(out, d.credential());
    writeSignature(out, d.signature());
  }

  static CredentialDelta readCredentialDelta(Input in) {
    NodeId owner = readNodeId(in);
    long generation = readNonNegativeLong(in, "generation");
    long version = readNonNegativeLong(in, "version");
    NodeId subject = readNodeId(in);
    Credential credential = readCredential(in);
    Signature signature = readSignature(in, "signature");
    try {
      return new CredentialDelta(owner, generation, version, subject, credential, signature);
    } catch (IllegalArgumentException e) {
      throw new MalformedMessageException(e.getMessage());
    }
  }

  static void writeMember(Output out, MemberUpdate m) {
    writeNodeId(out, m.id());
    writeEndpoint(out, m.address());
    out.writeVarLong(m.incarnation(), true);
    out.writeByte(stateCode(m.state()));
    writeNodeId(out, m.reporter());
    writeSignature(out, m.signature());
    writeString(out, m.zone());
  }

  static MemberUpdate readMember(Input in) {
    NodeId id = readNodeId(in);
    Endpoint address = readEndpoint(in);
    long incarnation = readNonNegativeLong(in, "incarnation");
    MemberState state = stateOf(in.readByte());
    NodeId reporter = readNodeId(in);
    Signature signature = readSignature(in, "member signature");
    String zone = readString(in, Zone.MAX_CHARS, "zone");
    if (!Zone.isValid(zone)) {
      throw new MalformedMessageException("bad zone '" + zone + "' of member " + id);
    }
    return new MemberUpdate(id, address, incarnation, state, reporter, signature, zone);
  }

  /** Wire codes of member states; append-only like the registration ids. */
  static int stateCode(MemberState s) {
    return switch (s) {
      case ALIVE -> 1;
      case SUSPECT -> 2;
      case DEAD -> 3;
      case LEFT -> 4;
    };
  }

  static MemberState stateOf(int code) {
    return switch (code) {
      case 1 -> MemberState.ALIVE;
      case 2 -> MemberState.SUSPECT;
      case 3 -> MemberState.DEAD;
      case 4 -> MemberState.LEFT;
      default -> throw new MalformedMessageException("unknown member state " + code);
    };
  }

  static void writeMembers(Output out, List<MemberUpdate> members) {
    out.writeVarInt(members.size(), true);
    members.forEach(m -> writeMember(out, m));
  }

  static List<MemberUpdate> readMembers(Input in, int max) {
    int n = readCount(in, max, "member count");
    List<MemberUpdate> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(readMember(in));
    }
    return out;
  }

  static void writeDelta(Output out, CatalogDelta d) {
    writeNodeId(out, d.owner());
    out.writeVarLong(d.generation(), true);
    out.writeVarLong(d.version(), true);
    writeString(out, d.name());
    out.writeVarInt(d.value().versions().size(), true);
    for (HeldVersion v : d.value().versions()) {
      out.writeVarLong(v.version(), true);
      writeChunkId(out, v.root());
      out.writeBoolean(v.complete());
      out.writeVarLong(v.sizeBytes(), true);
      writeNodeId(out, v.publisher());
      writeSignature(out, v.publication());
    }
    writePin(out, d.value().pin());
    writeSignature(out, d.signature());
  }

  private static void writePin(Output out, Pin pin) {
    out.writeBoolean(pin != null);
    if (pin != null) {
      out.writeVarLong(pin.stamp(), true);
      writeNodeId(out, pin.pinner());
      out.writeVarLong(pin.version(), true);
      if (!pin.isUnpin()) {
        writeChunkId(out, pin.root());
      }
      writeSignature(out, pin.signature());
    }
  }

  private static Pin readPin(Input in) {
    if (!in.readBoolean()) {
      return null;
    }
    long stamp = readNonNegativeLong(in, "pin stamp");
    NodeId pinner = readNodeId(in);
    long version = readNonNegativeLong(in, "pinned version");
    ChunkId root = version == 0 ? null : readChunkId(in);
    return new Pin(stamp, pinner, version, root, readSignature(in, "pin signature"));
  }

  static CatalogDelta readDelta(Input in) {
    NodeId owner = readNodeId(in);
    long generation = readNonNegativeLong(in, "generation");
    long version = readNonNegativeLong(in, "version");
    String name = readString(in, SnapshotName.MAX_NAME_CHARS, "name");
    int n = readCount(in, CatalogValue.MAX_VERSIONS, "held version count");
    List<HeldVersion> versions = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long v = readNonNegativeLong(in, "held version");
      ChunkId root = readChunkId(in);
      boolean complete = in.readBoolean();
      long size = readNonNegativeLong(in, "size");
      NodeId publisher = readNodeId(in);
      Signature publication = readSignature(in, "publication");
      try {
        versions.add(new HeldVersion(v, root, complete, size, publisher, publication));
      } catch (IllegalArgumentException e) {
        throw new MalformedMessageException(e.getMessage());
      }
    }
    Pin pin = readPin(in);
    Signature signature = readSignature(in, "catalog signature");
    try {
      return new CatalogDelta(
          owner, generation, version, name, new CatalogValue(versions, pin), signature);
    } catch (IllegalArgumentException e) {
      throw new MalformedMessageException(e.getMessage());
    }
  }

  static void writeDeltas(Output out, List<OwnerEntry> deltas) {
    out.writeVarInt(deltas.size(), true);
    deltas.forEach(d -> writeEntry(out, d));
  }

  static List<OwnerEntry> readDeltas(Input in, int max) {
    int n = readCount(in, max, "delta count");
    List<OwnerEntry> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(readEntry(in, in.readByte()));
    }
    return out;
  }

  static void writeDigests(Output out, List<OwnerDigest> digests) {
    out.writeVarInt(digests.size(), true);
    for (OwnerDigest d : digests) {
      writeNodeId(out, d.owner());
      out.writeVarLong(d.generation(), true);
      out.writeVarLong(d.maxVersion(), true);
    }
  }

  static List<OwnerDigest> readDigests(Input in, int max) {
    int n = readCount(in, max, "digest count");
    List<OwnerDigest> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          new OwnerDigest(
              readNodeId(in),
              readNonNegativeLong(in, "generation"),
              readNonNegativeLong(in, "max version")));
    }
    return out;
  }
}
