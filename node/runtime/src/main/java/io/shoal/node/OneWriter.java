package io.shoal.node;

import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.node.net.ConflictException;
import java.util.Map;

/**
 * The one-writer rule of change logs, as far as this node has heard of other writers (the
 * publishers of {@code _log.NAME} in the catalogs gossip carries, looked up by {@link
 * LogReplication} every second): no new log that another node writes; and of two nodes that wrote
 * one log apart (a partition), the one with the lower id (hex) keeps writing it and the other takes
 * no more appends. Thread-safe.
 */
final class OneWriter {
  private final String self; // this node's id, hex
  private volatile Map<String, String> otherWriters = Map.of(); // log -> lowest other writer
  private volatile Runnable refresher = () -> {};

  OneWriter(String self) {
    this.self = self;
  }

  /**
   * Refuses an append to log {@code name}, held here as {@code l} (null when new), that the rule
   * forbids.
   */
  void check(String name, ChangeLog l) throws ConflictException {
    String other = otherWriters.get(name);
    if (other == null) {
      return;
    }
    if (l == null) {
      throw new ConflictException(
          "log " + name + " is written by node " + shortId(other) + "; append on that node");
    }
    if (other.compareTo(self) < 0) {
      throw new ConflictException(
          "log "
              + name
              + " was written by this node and by node "
              + shortId(other)
              + " apart (a partition); the lower node id, "
              + shortId(other)
              + ", keeps it, and this node takes no more appends. Its records from offset "
              + l.sealedOffset()
              + " on are not replicated");
    }
  }

  static String shortId(String hex) {
    return hex.substring(0, Math.min(12, hex.length()));
  }

  /** Sets how {@link #refresh} looks the writers up (the catalogs gossip carries). */
  void refreshWith(Runnable r) {
    refresher = r;
  }

  /** Looks the writers up now: before this node starts a new log. Blocks until known. */
  void refresh() {
    refresher.run();
  }

  /** This node's id, hex. */
  String self() {
    return self;
  }

  /** Whether this node writes {@code name} but lost it to a node of lower id. */
  boolean superseded(String name) {
    String other = otherWriters.get(name);
    return other != null && other.compareTo(self) < 0;
  }

  /** The other nodes that publish each log, the lowest id of each (hex), as gossip shows them. */
  void otherWriters(Map<String, String> lowestOtherWriter) {
    otherWriters = Map.copyOf(lowestOtherWriter);
  }

  /** The lowest id (hex) of the other nodes that publish log {@code name}; null for none known. */
  String otherWriter(String name) {
    return otherWriters.get(name);
  }
}
