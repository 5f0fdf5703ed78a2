package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.snapshot.Retention;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.gossip.Pin;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a fetch brought a version in, keeps only the newest {@code --keep} versions of each name
 * (none collected when 0), and the pinned version of a pinned name however old, on a worker, and
 * announces the catalog that is left. Thread-safe.
 *
 * <p>Not while other fetches run: their chunks are not reachable from the catalog until they are
 * recorded, and a collection then took them from under a running fetch, which never finished (seen
 * in CI: a follower's fetch of v3 hung after retention of v1 ran). The last fetch to end applies
 * it.
 */
final class FetchRetention {
  private static final Logger log = LoggerFactory.getLogger(FetchRetention.class);

  private final int keep;
  private final SnapshotReader reader;
  private final Executor workers;
  private final CatalogAnnouncer announcer;
  private final IntSupplier activeFetches;

  FetchRetention(
      int keep,
      SnapshotReader reader,
      Executor workers,
      CatalogAnnouncer announcer,
      IntSupplier activeFetches) {
    this.keep = keep;
    this.reader = reader;
    this.workers = workers;
    this.announcer = announcer;
    this.activeFetches = activeFetches;
  }

  void apply() {
    if (keep > 0) {
      workers.execute(
          () -> {
            int running = activeFetches.getAsInt();
            if (running > 0) {
              log.debug("retention waits: {} fetch(es) running", running);
              return;
            }
            try {
              Map<String, Pin> pins = announcer.activePins();
              Retention.apply(reader, keep, e -> isPinned(e, pins.get(e.name())));
              announcer.announce();
            } catch (IOException | RuntimeException e) {
              log.warn("retention failed: {}", e.toString());
            }
          });
    }
  }

  private static boolean isPinned(CatalogEntry e, Pin pin) {
    return pin != null && e.version() == pin.version() && e.root().equals(pin.root());
  }
}
