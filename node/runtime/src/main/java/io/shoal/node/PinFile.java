package io.shoal.node;

import io.shoal.chunkstore.AtomicFiles;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.FormatReader;
import io.shoal.chunkstore.FormatWriter;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.SnapshotName;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.Credential;
import io.shoal.gossip.GossipConfig;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Pin;
import io.shoal.gossip.Signature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pin claims this node honours, kept in {@code DIR/pins} so that they survive a restart: a
 * follower that comes back while its pinner is away still holds the pinned version, and a pinner's
 * next claim is stamped past its last. Each claim keeps its pinner's credential, so the node can go
 * on vouching for it in gossip. Layout in docs/formats.md; replaced atomically (temporary file,
 * fsync, rename, fsync of the directory). Thread-safe: saves run on the given executor, the latest
 * state last.
 */
final class PinFile {
  private static final Logger log = LoggerFactory.getLogger(PinFile.class);

  static final String FILE_NAME = "pins";
  static final int MAGIC = 0x5348504E; // SHPN
  static final int VERSION = 1;

  /** Most claims the file holds: a node carries at most one per name of its map. */
  static final int MAX_PINS = GossipConfig.MAX_NAMES_PER_OWNER;

  /**
   * One claim with what vouches for it.
   *
   * @param credential the pinner's credential; empty on nodes that do not sign
   */
  record Entry(String name, Pin pin, Credential credential) {}

  private final Path file;
  private final Executor writer;
  private final AtomicReference<List<Entry>> pending = new AtomicReference<>();
  private final Object writing = new Object();

  PinFile(Path dataDir, Executor writer) {
    this.file = dataDir.resolve(FILE_NAME);
    this.writer = writer;
  }

  /** The claims kept, none when the file does not exist; a damaged file is reported and ignored. */
  List<Entry> load() {
    try {
      return decode(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      log.warn("ignoring the pin file {}: {}; gossip brings the pins back", file, e.getMessage());
      return List.of();
    }
  }

  /** Saves {@code entries} on the writer; of saves queued meanwhile, only the latest is written. */
  void saveLater(List<Entry> entries) {
    pending.set(List.copyOf(entries));
    writer.execute(
        () -> {
          synchronized (writing) {
            List<Entry> latest = pending.getAndSet(null);
            if (latest == null) {
              return;
            }
            try {
              AtomicFiles.write(file, encode(latest));
            } catch (IOException | RuntimeException e) {
              log.warn("could not save the pins to {}: {}", file, e.toString());
            }
          }
        });
  }

  static byte[] encode(List<Entry> entries) {
    FormatWriter w = new FormatWriter(64 + 256 * entries.size());
    w.u32(MAGIC).u16(VERSION).u16(0).u32(entries.size());
    for (Entry e : entries) {
      Pin p = e.pin();
      w.utf8u16(e.name()).u64(p.stamp()).u64(p.pinner().high()).u64(p.pinner().low());
      w.u64(p.version());
      if (!p.isUnpin()) {
        w.u8(p.root().algorithm().code()).chunkId(p.root());
      }
      byte[] sig = p.signature().bytes();
      byte[] credential = e.credential().bytes();
      w.u16(sig.length).bytes(sig).u16(credential.length).bytes(credential);
    }
    byte[] body = w.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(body);
    return new FormatWriter(body.length + 4).bytes(body).u32(crc.getValue()).toByteArray();
  }

  static List<Entry> decode(byte[] bytes) throws FormatException {
    FormatReader r = new FormatReader(bytes, "pin file");
    r.expectMagic(MAGIC);
    r.version(2, VERSION, VERSION);
    r.u16("reserved");
    if (bytes.length < 16) {
      throw r.error("truncated");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
      throw r.error("checksum mismatch: the pin file is damaged");
    }
    int count = (int) r.u32("pin count", MAX_PINS);
    List<Entry> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String name = r.utf8u16("name", SnapshotName.MAX_NAME_CHARS);
      long stamp = r.u64("stamp", Long.MAX_VALUE);
      NodeId pinner = new NodeId(r.i64("pinner"), r.i64("pinner"));
      long version = r.u64("version", Long.MAX_VALUE);
      ChunkId root =
          version == 0 ? null : r.chunkId(HashAlgorithm.fromCode(r.u8("algorithm")), "root");
      byte[] sig = r.bytesU16("signature", ClaimAuthority.MAX_SIGNATURE_BYTES);
      byte[] credential = r.bytesU16("credential", ClaimAuthority.MAX_CREDENTIAL_BYTES);
      out.add(
          new Entry(
              name,
              new Pin(stamp, pinner, version, root, Signature.of(sig)),
              Credential.of(credential)));
    }
    r.u32AsInt("checksum");
    r.expectEnd();
    return out;
  }
}
