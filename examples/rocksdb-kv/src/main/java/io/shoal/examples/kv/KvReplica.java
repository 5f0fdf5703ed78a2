package io.shoal.examples.kv;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.api.LogRead;
import io.shoal.api.LogRecord;
import io.shoal.api.Published;
import io.shoal.api.Restored;
import io.shoal.api.Shoal;
import io.shoal.api.SnapshotVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of the service: a RocksDB database that applies the change log {@value #NAME} in
 * offset order, and the shoal node it recovers through. On start it restores the newest checkpoint
 * from its peers (or starts empty when it is the first) and replays the log from the checkpoint's
 * offset; the publishing replica checkpoints the database every few seconds.
 */
final class KvReplica implements AutoCloseable {
  /** The snapshot and the log of the service. */
  static final String NAME = "kv";

  /** Restores one recovery makes at most while the log keeps moving past what it restored. */
  static final int MAX_RESTORES = 3;

  private static final Logger log = LoggerFactory.getLogger(KvReplica.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Shoal shoal;
  private final Path dir;
  private final ReentrantLock applying = new ReentrantLock();
  private KvState state;
  private volatile boolean running = true;
  private long published = -1;
  private int peers;

  KvReplica(Shoal shoal, Path dir) {
    this.shoal = shoal;
    this.dir = dir;
  }

  Path db() {
    return dir.resolve("db");
  }

  /**
   * Opens the state: restores the newest checkpoint when one exists (waiting up to {@code wait} for
   * the swarm to announce it) and replays the log after it; an empty state when there is none and
   * {@code first}. Writes what it did to {@code recovery.json}.
   */
  void recover(boolean first, Duration wait) throws IOException {
    long start = System.nanoTime();
    long heldBefore = newestHeld();
    SnapshotVersion newest = awaitCheckpoint(first ? Duration.ZERO : wait);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("heldVersionBefore", heldBefore);
    if (newest == null) {
      Files.createDirectories(db());
      state = KvState.open(db());
      log.info("no checkpoint of '{}' yet: starting from offset {}", NAME, state.offset());
    } else {
      Restored r = restore(newest);
      report(report, r);
    }
    long replayStart = System.nanoTime();
    long[] replayed;
    for (int attempt = 1; ; attempt++) {
      try {
        replayed = replayToEnd();
        break;
      } catch (IllegalArgumentException e) {
        // The version restored was the newest this node held when it started, and the log has
        // moved past it since (its node dropped what a newer checkpoint covers): restore that one.
        if (attempt == MAX_RESTORES) {
          throw new IOException(
              "the log keeps moving past the restored checkpoint: " + e.getMessage());
        }
        log.warn("{}: restoring the newest checkpoint", e.getMessage());
        SnapshotVersion newer = awaitNewer(newest, wait);
        Restored r = restore(newer);
        report(report, r);
        newest = newer;
        replayStart = System.nanoTime();
      }
    }
    report.put("replayedRecords", replayed[0]);
    report.put("replayedBytes", replayed[1]);
    report.put("replaySeconds", (System.nanoTime() - replayStart) / 1e9);
    report.put("offset", state.offset());
    report.put("recoverySeconds", (System.nanoTime() - start) / 1e9);
    report.put("files", sstFiles(db()));
    Files.write(dir.resolve("recovery.json"), JSON.writeValueAsBytes(report));
  }

  /** Records restore {@code r} in the report, adding to what earlier restores of it moved. */
  private void report(Map<String, Object> report, Restored r) {
    report.merge("restores", 1, (a, b) -> (Integer) a + 1);
    report.merge("restoreFetchedBytes", r.fetchedBytes(), (a, b) -> (Long) a + (Long) b);
    report.merge("restoreSeconds", r.seconds(), (a, b) -> (Double) a + (Double) b);
    report.put("restoredVersion", r.version());
    report.put("stateBytes", r.sizeBytes());
    report.put("restorePeers", peers);
    report.put("checkpointOffset", r.logOffset());
  }

  /** A checkpoint newer than {@code than}, waiting up to {@code wait} for one. */
  private SnapshotVersion awaitNewer(SnapshotVersion than, Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      SnapshotVersion v = awaitCheckpoint(Duration.ZERO);
      if (v != null && (than == null || v.version() > than.version())) {
        return v;
      }
      if (System.nanoTime() >= deadline) {
        throw new IOException("no checkpoint of '" + NAME + "' newer than the one restored");
      }
      pause(200);
    }
  }

  /**
   * Replaces the state with checkpoint {@code v}: restored beside the database, then moved in its
   * place. The caller holds no lock; applying stops meanwhile.
   */
  private Restored restore(SnapshotVersion v) throws IOException {
    Path restoring = dir.resolve("db.restoring");
    deleteTree(restoring);
    int[] most = {0};
    Restored r = shoal.restore(v.ref(), restoring, p -> most[0] = Math.max(most[0], p.peers()));
    applying.lock();
    try {
      if (state != null) {
        state.close();
      }
      deleteTree(db());
      Files.move(restoring, db(), StandardCopyOption.ATOMIC_MOVE);
      state = KvState.open(db());
    } finally {
      applying.unlock();
    }
    String check = state.lastCheck();
    if (check != null && !Files.exists(dir.resolve("checks").resolve(check + ".json"))) {
      writeCheck(check, state.offset() - 1); // the checkpoint was taken after that mark
    }
    peers = most[0];
    log.info(
        "restored {}@{}: {} bytes, {} fetched from {} peers in {} s; log offset {}",
        r.name(),
        r.version(),
        r.sizeBytes(),
        r.fetchedBytes(),
        peers,
        String.format("%.2f", r.seconds()),
        r.logOffset());
    return r;
  }

  /** The newest version of {@value #NAME} this node holds complete, or 0. */
  private long newestHeld() throws IOException {
    return shoal.versions().stream()
        .filter(v -> v.name().equals(NAME) && v.complete())
        .mapToLong(SnapshotVersion::version)
        .max()
        .orElse(0);
  }

  private SnapshotVersion awaitCheckpoint(Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      for (SnapshotVersion v : shoal.versions()) { // newest first
        if (v.name().equals(NAME)) {
          return v;
        }
      }
      if (System.nanoTime() >= deadline) {
        return null;
      }
      pause(200);
    }
  }

  /** Applies the records the node holds after the state's offset; returns {records, bytes}. */
  private long[] replayToEnd() throws IOException {
    long records = 0;
    long bytes = 0;
    while (true) {
      LogRead r;
      try {
        r = shoal.read(NAME, state.offset(), 10_000, Duration.ZERO);
      } catch (io.shoal.node.net.NotFoundException e) {
        return new long[] {records, bytes}; // no log yet
      }
      for (LogRecord rec : r.records()) {
        apply(rec);
        records++;
        bytes += rec.data().length;
      }
      if (r.records().isEmpty() || r.next() >= r.end()) {
        return new long[] {records, bytes};
      }
    }
  }

  /** Applies records as they come, until {@link #close}. */
  void follow() {
    while (running) {
      try {
        LogRead r = shoal.read(NAME, state.offset(), 10_000, Duration.ofSeconds(1));
        for (LogRecord rec : r.records()) {
          apply(rec);
        }
      } catch (io.shoal.node.net.NotFoundException e) {
        pause(200); // the log has not reached this node yet
      } catch (IllegalArgumentException e) {
        catchUpBySnapshot(e.getMessage());
      } catch (IOException e) {
        if (running) {
          log.warn("reading the log: {}", e.getMessage());
          pause(1000);
        }
      }
    }
  }

  /**
   * The log no longer holds the state's next record (the node dropped segments that snapshots
   * cover): restores the newest checkpoint, which covers them, and goes on from its offset.
   */
  private void catchUpBySnapshot(String why) {
    log.warn("{}: restoring the newest checkpoint", why);
    try {
      SnapshotVersion newest = awaitCheckpoint(Duration.ofSeconds(30));
      if (newest != null) {
        restore(newest);
      }
    } catch (IOException e) {
      log.warn("restoring the newest checkpoint failed: {}", e.getMessage());
      pause(1000);
    }
  }

  private void apply(LogRecord rec) throws IOException {
    String check;
    applying.lock();
    try {
      check = state.apply(rec.offset(), rec.data());
    } finally {
      applying.unlock();
    }
    if (check != null) {
      writeCheck(check, rec.offset());
    }
  }

  private void writeCheck(String id, long offset) throws IOException {
    if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
      log.warn("check mark with a bad id at offset {}: ignored", offset);
      return;
    }
    KvState.Digest d = state.digest();
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("id", id);
    check.put("offset", offset);
    check.put("keys", d.keys());
    check.put("bytes", d.bytes());
    check.put("hash", d.hash());
    Path checks = Files.createDirectories(dir.resolve("checks"));
    Path tmp = checks.resolve(id + ".json.tmp");
    Files.write(tmp, JSON.writeValueAsBytes(check));
    Files.move(tmp, checks.resolve(id + ".json"), StandardCopyOption.ATOMIC_MOVE);
    log.info("check {} at offset {}: {} keys, hash {}", id, offset, d.keys(), d.hash());
  }

  /**
   * Publishes a checkpoint when the state moved since the last one: the offset and the files are
   * taken under the apply lock, so the checkpoint holds exactly the records before it.
   */
  void publishIfChanged() throws IOException {
    if (state.offset() == published) {
      return;
    }
    List<Map<String, Long>> files = new ArrayList<>(1);
    Published p =
        shoal.publish(
            NAME,
            target -> {
              long offset;
              applying.lock();
              try {
                offset = state.offset();
                state.checkpoint(target);
              } finally {
                applying.unlock();
              }
              files.add(sstFiles(target));
              return offset;
            });
    published = p.logOffset();
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("version", p.version());
    line.put("logOffset", p.logOffset());
    line.put("sizeBytes", p.sizeBytes());
    line.put("newBytes", p.newBytes());
    line.put("files", files.get(0));
    Files.writeString(
        dir.resolve("published.jsonl"),
        JSON.writeValueAsString(line) + "\n",
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    log.info(
        "published {}@{} at log offset {}: {} bytes, {} new",
        NAME,
        p.version(),
        p.logOffset(),
        p.sizeBytes(),
        p.newBytes());
  }

  /** The SST files of the database and their sizes. */
  static Map<String, Long> sstFiles(Path db) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    try (var files = Files.list(db)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.getFileName().toString().endsWith(".sst")) {
          out.put(f.getFileName().toString(), Files.size(f));
        }
      }
    }
    return out;
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  private static void pause(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    applying.lock();
    try {
      if (state != null) {
        state.close();
      }
    } finally {
      applying.unlock();
    }
  }
}
