package io.shoal.api;

import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.chunkstore.snapshot.CatalogListing;
import io.shoal.chunkstore.snapshot.Publication;
import io.shoal.node.TransferView;
import io.shoal.node.api.LogAppended;
import io.shoal.node.api.LogBatch;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.Written;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The node's answers as the API's types; the same for an in-process node and one beside. */
final class Views {
  private Views() {}

  /**
   * The versions held ({@code listed}) and the newest version of each name the swarm announces
   * ({@code winners}) that is not held, newest first per name; the change logs' own snapshots are
   * left out.
   */
  static List<SnapshotVersion> versions(
      List<CatalogListing.Listed> listed, List<NodeStatus.WinnerView> winners) {
    List<SnapshotVersion> out = new ArrayList<>();
    Set<String> held = new HashSet<>();
    for (CatalogListing.Listed l : listed) {
      held.add(l.name() + "@" + l.version());
      out.add(new SnapshotVersion(l.name(), l.version(), l.root(), l.sizeBytes(), l.complete()));
    }
    for (NodeStatus.WinnerView w : winners) {
      if (held.add(w.name() + "@" + w.version())) {
        out.add(new SnapshotVersion(w.name(), w.version(), w.root(), w.sizeBytes(), false));
      }
    }
    out.removeIf(v -> v.name().startsWith(ChangeLog.SNAPSHOT_PREFIX));
    out.sort(
        Comparator.comparing(SnapshotVersion::name)
            .thenComparing(Comparator.comparingLong(SnapshotVersion::version).reversed()));
    return out;
  }

  static Published published(Publication.Outcome o, long logOffset) {
    return new Published(o.name(), o.version(), o.root(), o.sizeBytes(), o.newBytes(), logOffset);
  }

  static Restored restored(Written w) {
    return new Restored(
        w.name(),
        w.version(),
        w.root(),
        Path.of(w.path()),
        w.sizeBytes(),
        w.fetchedBytes(),
        w.seconds(),
        w.logOffset());
  }

  /** The fetch of {@code name} among {@code transfers}, as progress. */
  static Optional<RestoreProgress> progress(List<TransferView> transfers, String name) {
    return transfers.stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .map(
            t ->
                new RestoreProgress(
                    t.stage(), t.doneBytes(), t.totalBytes(), t.bytesPerSecond(), t.peers()));
  }

  static Appended appended(LogAppended a) {
    return new Appended(a.first(), a.count(), a.end());
  }

  static LogRead read(LogBatch b) {
    List<LogRecord> records = new ArrayList<>(b.records().size());
    for (LogBatch.Entry e : b.records()) {
      records.add(new LogRecord(e.offset(), e.data()));
    }
    return new LogRead(records, b.next(), b.end());
  }
}
