package io.shoal.chunkstore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one node holds: for each snapshot name, the versions it has, with their root ids and whether
 * they are complete. At most one root per name and version.
 *
 * <p>Thread-safe. Every change is persisted before the method returns (for a disk store: a
 * temporary file, fsync, atomic rename).
 */
public final class Catalog {
  /** Most entries one catalog holds; retention keeps real catalogs far below. */
  public static final int MAX_ENTRIES = 1 << 20;

  private final NavigableMap<String, NavigableMap<Long, CatalogEntry>> byName = new TreeMap<>();
  private final CatalogFile file;
  private final Barrier barrier;

  /** Runs before the catalog file is written: what an entry refers to must be durable first. */
  @FunctionalInterface
  interface Barrier {
    void run() throws IOException;
  }

  Catalog(CatalogFile file, List<CatalogEntry> initial, Barrier barrier) {
    this.file = file;
    this.barrier = barrier;
    for (CatalogEntry e : initial) {
      byName.computeIfAbsent(e.name(), n -> new TreeMap<>()).put(e.version(), e);
    }
  }

  /** A catalog held in memory only. */
  static Catalog inMemory() {
    return new Catalog(null, List.of(), () -> {});
  }

  /** Every entry, ordered by name and version. */
  public synchronized List<CatalogEntry> entries() {
    List<CatalogEntry> all = new ArrayList<>();
    byName.values().forEach(v -> all.addAll(v.values()));
    return all;
  }

  /** The versions of one name, oldest first. */
  public synchronized List<CatalogEntry> versions(String name) {
    NavigableMap<Long, CatalogEntry> v = byName.get(name);
    return v == null ? List.of() : List.copyOf(v.values());
  }

  public synchronized Optional<CatalogEntry> get(String name, long version) {
    NavigableMap<Long, CatalogEntry> v = byName.get(name);
    return Optional.ofNullable(v == null ? null : v.get(version));
  }

  /** The highest version of the name, complete or not. */
  public synchronized Optional<CatalogEntry> latest(String name) {
    NavigableMap<Long, CatalogEntry> v = byName.get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.lastEntry().getValue());
  }

  /** The highest complete version of the name. */
  public synchronized Optional<CatalogEntry> latestComplete(String name) {
    NavigableMap<Long, CatalogEntry> v = byName.get(name);
    if (v == null) {
      return Optional.empty();
    }
    for (CatalogEntry e : v.descendingMap().values()) {
      if (e.complete()) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** Adds or replaces the entry for its name and version. */
  public synchronized void put(CatalogEntry entry) throws IOException {
    NavigableMap<Long, CatalogEntry> v = byName.computeIfAbsent(entry.name(), n -> new TreeMap<>());
    CatalogEntry previous = v.get(entry.version());
    if (entry.equals(previous)) {
      return;
    }
    if (previous == null && size() >= MAX_ENTRIES) {
      throw new IllegalStateException("catalog is full (" + MAX_ENTRIES + " entries)");
    }
    v.put(entry.version(), entry);
    try {
      persist();
    } catch (IOException | RuntimeException e) {
      if (previous == null) {
        v.remove(entry.version());
      } else {
        v.put(entry.version(), previous);
      }
      throw e;
    }
  }

  /** Removes the entry; returns whether there was one. */
  public synchronized boolean remove(String name, long version) throws IOException {
    NavigableMap<Long, CatalogEntry> v = byName.get(name);
    CatalogEntry removed = v == null ? null : v.remove(version);
    if (removed == null) {
      return false;
    }
    try {
      persist();
    } catch (IOException | RuntimeException e) {
      v.put(version, removed);
      throw e;
    }
    if (v.isEmpty()) {
      byName.remove(name);
    }
    return true;
  }

  public synchronized int size() {
    int n = 0;
    for (Map<Long, CatalogEntry> v : byName.values()) {
      n += v.size();
    }
    return n;
  }

  private void persist() throws IOException {
    if (file != null) {
      barrier.run();
      file.write(entries());
    }
  }
}
