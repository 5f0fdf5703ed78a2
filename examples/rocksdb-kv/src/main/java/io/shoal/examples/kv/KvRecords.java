package io.shoal.examples.kv;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The records of the service's change log. A record is a batch of puts, applied atomically, or a
 * check mark, at which every replica writes down a digest of its state so that replicas can be
 * compared at the same offset.
 *
 * <pre>
 * put batch:  0x01  count:u32  (keyLength:u16 key valueLength:u32 value)*count
 * check mark: 0x02  id:UTF-8
 * </pre>
 */
final class KvRecords {
  static final byte PUT = 1;
  static final byte CHECK = 2;

  /** The longest key a put carries. */
  static final int MAX_KEY = 1024;

  private KvRecords() {}

  /** Receives the puts of a batch. */
  interface PutSink {
    void put(byte[] key, byte[] value);
  }

  /** Key {@code i} of the generated load: "k" and 12 digits, so keys sort by number. */
  static byte[] key(long i) {
    return String.format(Locale.ROOT, "k%012d", i).getBytes(StandardCharsets.US_ASCII);
  }

  /** The generated value of key {@code i} in round {@code round}: random, so incompressible. */
  static byte[] value(long i, long round, int size) {
    byte[] v = new byte[size];
    // Not a multiple of SplittableRandom's own step (0x9E3779B97F4A7C15), which would make the
    // value of key i the value of key 0 shifted by i longs: compressible, and shared.
    SplittableRandom r = new SplittableRandom(i * 0xD1B54A32D192ED03L + round);
    for (int j = 0; j < size; j += 8) {
      long x = r.nextLong();
      for (int k = 0; k < 8 && j + k < size; k++) {
        v[j + k] = (byte) (x >>> (8 * k));
      }
    }
    return v;
  }

  /** The put batch of keys {@code first} to {@code first + count - 1} in {@code round}. */
  static byte[] putBatch(long first, int count, long round, int valueSize) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(count * (valueSize + 20) + 5);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(PUT);
      out.writeInt(count);
      for (long i = first; i < first + count; i++) {
        byte[] k = key(i);
        out.writeShort(k.length);
        out.write(k);
        out.writeInt(valueSize);
        out.write(value(i, round, valueSize));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static byte[] check(String id) {
    byte[] text = id.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + text.length).put(CHECK).put(text).array();
  }

  /** The id of a check mark, or null when {@code record} is a put batch. */
  static String checkId(byte[] record) {
    if (record.length == 0) {
      throw new IllegalArgumentException("an empty record");
    }
    return record[0] == CHECK
        ? new String(record, 1, record.length - 1, StandardCharsets.UTF_8)
        : null;
  }

  /** Passes each put of batch {@code record} to {@code sink}; a malformed batch fails whole. */
  static void puts(byte[] record, PutSink sink) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(record));
    if (in.readByte() != PUT) {
      throw new IOException("not a put batch");
    }
    int count = in.readInt();
    if (count < 0 || count > record.length) {
      throw new IOException("a put batch of " + count + " puts in " + record.length + " bytes");
    }
    for (int i = 0; i < count; i++) {
      int kl = in.readUnsignedShort();
      if (kl == 0 || kl > MAX_KEY) {
        throw new IOException("key length " + kl);
      }
      byte[] k = in.readNBytes(kl);
      int vl = in.readInt();
      if (vl < 0 || vl > in.available()) {
        throw new IOException("value length " + vl + " with " + in.available() + " bytes left");
      }
      byte[] v = in.readNBytes(vl);
      if (k.length != kl || v.length != vl) {
        throw new IOException("a put batch ends early");
      }
      sink.put(k, v);
    }
    if (in.available() != 0) {
      throw new IOException(in.available() + " bytes after the last put");
    }
  }
}
