package io.shoal.examples.kv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.rocksdb.Checkpoint;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The service's state: a RocksDB database holding the keys and, under a key of its own, the offset
 * of the next log record to apply. Both change in one write batch, so a replay from any offset at
 * or before the stored one ends in the same state: applying is idempotent by offset.
 */
final class KvState implements AutoCloseable {
  /** Sorts before every key of the service ("k..."), so scans of the keys skip it. */
  private static final byte[] OFFSET_KEY = "\0offset".getBytes(StandardCharsets.US_ASCII);

  /** The id of the last check mark applied; sorts before every key too. */
  private static final byte[] CHECK_KEY = "\0check".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] FIRST_KEY = {'k'};

  static {
    RocksDB.loadLibrary();
  }

  /** A digest of every key and value, in key order. */
  record Digest(long keys, long bytes, String hash) {}

  private final Options options;
  private final RocksDB db;
  private final WriteOptions writes = new WriteOptions();

  private KvState(Options options, RocksDB db) {
    this.options = options;
    this.db = db;
  }

  static KvState open(Path dir) throws IOException {
    Options options = new Options().setCreateIfMissing(true);
    try {
      return new KvState(options, RocksDB.open(options, dir.toString()));
    } catch (RocksDBException e) {
      options.close();
      throw new IOException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The offset of the next record to apply. */
  long offset() throws IOException {
    try {
      byte[] v = db.get(OFFSET_KEY);
      return v == null ? 0 : ByteBuffer.wrap(v).getLong();
    } catch (RocksDBException e) {
      throw new IOException("RocksDB: " + e.getMessage(), e);
    }
  }

  /**
   * Applies record {@code offset}: its puts and the new offset in one batch. A record before the
   * stored offset is skipped, one after it is refused (a gap). Returns the check id when the record
   * is a check mark.
   */
  String apply(long offset, byte[] record) throws IOException {
    long next = offset();
    if (offset < next) {
      return null;
    }
    if (offset > next) {
      throw new IOException(
          "record " + offset + " follows record " + (next - 1) + ": the log lost records between");
    }
    String check = KvRecords.checkId(record);
    try (WriteBatch batch = new WriteBatch()) {
      if (check != null) {
        batch.put(CHECK_KEY, check.getBytes(StandardCharsets.UTF_8));
      } else {
        KvRecords.puts(
            record,
            (k, v) -> {
              try {
                batch.put(k, v);
              } catch (RocksDBException e) {
                throw new IllegalStateException(e);
              }
            });
      }
      batch.put(OFFSET_KEY, ByteBuffer.allocate(8).putLong(offset + 1).array());
      db.write(writes, batch);
    } catch (RocksDBException e) {
      throw new IOException("RocksDB: " + e.getMessage(), e);
    }
    return check;
  }

  /**
   * The id of the last check mark applied, or null: a state restored from a checkpoint taken after
   * a mark carries it, so that the replica can digest the state it now holds for that mark.
   */
  String lastCheck() throws IOException {
    try {
      byte[] v = db.get(CHECK_KEY);
      return v == null ? null : new String(v, StandardCharsets.UTF_8);
    } catch (RocksDBException e) {
      throw new IOException("RocksDB: " + e.getMessage(), e);
    }
  }

  /** Every key and value in key order, hashed; the offset key is not part of it. */
  Digest digest() {
    long keys = 0;
    long bytes = 0;
    try (StreamingXXHash64 h = XXHashFactory.fastestInstance().newStreamingHash64(0);
        RocksIterator it = db.newIterator()) {
      byte[] lengths = new byte[8];
      for (it.seek(FIRST_KEY); it.isValid(); it.next()) {
        byte[] k = it.key();
        byte[] v = it.value();
        ByteBuffer.wrap(lengths).putInt(k.length).putInt(v.length);
        h.update(lengths, 0, 8);
        h.update(k, 0, k.length);
        h.update(v, 0, v.length);
        keys++;
        bytes += k.length + v.length;
      }
      return new Digest(keys, bytes, String.format("%016x", h.getValue()));
    }
  }

  /** Writes a checkpoint of the database into {@code target}, which must not exist. */
  void checkpoint(Path target) throws IOException {
    try (Checkpoint c = Checkpoint.create(db)) {
      c.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new IOException("RocksDB checkpoint: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    writes.close();
    db.close();
    options.close();
  }
}
