package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.snapshot.Retention;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.gossip.Pin;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a fetch brought a version in, keeps only the newest {@code --keep} versions of each name
 * (none collected when 0), and the pinned version of a pinned name however old, on a worker, and
 * announces the catalog that is left. Thread-safe.
 *
 * <p>Never while a fetch runs ({@link FetchGate}): a running fetch's chunks are not reachable from
 * the catalog until it records its version. Asked for then, it runs when the last fetch ends.
 */
final class FetchRetention {
  private static final Logger log = LoggerFactory.getLogger(FetchRetention.class);

  private final int keep;
  private final SnapshotReader reader;
  private final Executor workers;
  private final CatalogAnnouncer announcer;
  private final FetchGate gate;

  FetchRetention(
      int keep,
      SnapshotReader reader,
      Executor workers,
      CatalogAnnouncer announcer,
      FetchGate gate) {
    this.keep = keep;
    this.reader = reader;
    this.workers = workers;
    this.announcer = announcer;
    this.gate = gate;
    gate.onIdle(this::apply);
  }

  void apply() {
    if (keep > 0) {
      workers.execute(
          () -> {
            if (!gate.tryBeginCollection()) {
              log.debug("retention waits: {} fetch(es) running", gate.running());
              return;
            }
            try {
              Map<String, Pin> pins = announcer.activePins();
              Retention.apply(reader, keep, e -> isPinned(e, pins.get(e.name())));
              announcer.announce();
            } catch (IOException | RuntimeException e) {
              log.warn("retention failed: {}", e.toString());
            } finally {
              gate.endCollection();
            }
          });
    }
  }

  private static boolean isPinned(CatalogEntry e, Pin pin) {
    return pin != null && e.version() == pin.version() && e.root().equals(pin.root());
  }
}
