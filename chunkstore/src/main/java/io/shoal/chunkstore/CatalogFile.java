package io.shoal.chunkstore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The catalog's file, {@code catalog} in the store directory; its layout is in {@code
 * docs/formats.md}. Replaced atomically on every change.
 */
final class CatalogFile {
  static final int MAGIC = 0x5348_4354; // "SHCT"

  /** Version 2 adds each entry's provenance; version 1 files are read as unsigned entries. */
  static final int VERSION = 2;

  private static final int PROVENANCE_NONE = 0;
  private static final int PROVENANCE_SIGNED = 1;

  private static final int STATE_COMPLETE = 0;
  private static final int STATE_PARTIAL = 1;

  private final Path path;

  CatalogFile(Path path) {
    this.path = path;
  }

  /** Reads the entries; a missing file is an empty catalog. */
  List<CatalogEntry> read() throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    return decode(bytes, path.toString());
  }

  void write(List<CatalogEntry> entries) throws IOException {
    AtomicFiles.write(path, encode(entries));
  }

  static byte[] encode(List<CatalogEntry> entries) {
    FormatWriter w = new FormatWriter(64 + entries.size() * 64);
    w.u32(MAGIC).u16(VERSION).u16(0).u32(entries.size());
    for (CatalogEntry e : entries) {
      w.utf8u16(e.name())
          .u64(e.version())
          .u8(e.root().algorithm().code())
          .chunkId(e.root())
          .u8(e.complete() ? STATE_COMPLETE : STATE_PARTIAL)
          .u64(e.sizeBytes())
          .u64(e.createdMillis());
      Provenance p = e.provenance();
      if (p.isSigned()) {
        byte[] sig = p.signature();
        byte[] credential = p.credential();
        w.u8(PROVENANCE_SIGNED).bytes(p.publisherBytes());
        w.u16(sig.length).bytes(sig).u16(credential.length).bytes(credential);
      } else {
        w.u8(PROVENANCE_NONE);
      }
    }
    byte[] body = w.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(body);
    return new FormatWriter(body.length + 4).bytes(body).u32(crc.getValue()).toByteArray();
  }

  private static Provenance readProvenance(FormatReader r) throws FormatException {
    int kind = r.u8("provenance");
    if (kind == PROVENANCE_NONE) {
      return Provenance.NONE;
    }
    if (kind != PROVENANCE_SIGNED) {
      throw r.error("unknown provenance kind " + kind);
    }
    byte[] publisher = r.bytes(16, "publisher");
    byte[] sig = r.bytesU16("signature", Provenance.MAX_SIGNATURE_BYTES);
    byte[] credential = r.bytesU16("credential", Provenance.MAX_CREDENTIAL_BYTES);
    return Provenance.of(java.util.HexFormat.of().formatHex(publisher), sig, credential);
  }

  static List<CatalogEntry> decode(byte[] bytes, String where) throws FormatException {
    FormatReader r = new FormatReader(bytes, "catalog " + where);
    r.expectMagic(MAGIC);
    int version = r.version(2, 1, VERSION);
    r.u16("reserved");
    if (bytes.length < 16) {
      throw r.error("truncated");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = java.nio.ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
    if ((int) crc.getValue() != stored) {
      throw r.error("checksum mismatch: the catalog file is damaged");
    }
    int count = (int) r.u32("entry count", Catalog.MAX_ENTRIES);
    List<CatalogEntry> entries = new ArrayList<>(Math.min(count, 4096));
    for (int i = 0; i < count; i++) {
      String name = r.utf8u16("name", SnapshotName.MAX_NAME_CHARS);
      long number = r.u64("version", Long.MAX_VALUE);
      HashAlgorithm algorithm = HashAlgorithm.fromCode(r.u8("algorithm"));
      ChunkId root = r.chunkId(algorithm, "root");
      int state = r.u8("state");
      if (state != STATE_COMPLETE && state != STATE_PARTIAL) {
        throw r.error("unknown entry state " + state);
      }
      long size = r.u64("size", Long.MAX_VALUE);
      long created = r.i64("created");
      try {
        Provenance p = version >= 2 ? readProvenance(r) : Provenance.NONE;
        entries.add(
            new CatalogEntry(name, number, root, state == STATE_COMPLETE, size, created, p));
      } catch (IllegalArgumentException e) {
        throw r.error(e.getMessage());
      }
    }
    r.u32AsInt("checksum");
    r.expectEnd();
    return entries;
  }
}
