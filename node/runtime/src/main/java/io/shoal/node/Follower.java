package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.gossip.HeldVersion;
import io.shoal.node.core.membership.Follow;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the follow rule's decisions ({@link Follow}): fetches the new winner, then applies
 * retention. Called on the gossip loop; starts the fetch and returns.
 */
final class Follower {
  private static final Logger log = LoggerFactory.getLogger(Follower.class);

  private final TransferService transfers;
  private final FetchRetention retention;
  private final BooleanSupplier closed;

  Follower(TransferService transfers, FetchRetention retention, BooleanSupplier closed) {
    this.transfers = transfers;
    this.retention = retention;
    this.closed = closed;
  }

  void onFollow(Follow f) {
    if (closed.getAsBoolean()) {
      return;
    }
    String name = f.name();
    HeldVersion v = f.version();
    CatalogEntry target =
        new CatalogEntry(
            name,
            v.version(),
            v.root(),
            false,
            v.sizeBytes(),
            0,
            CatalogAnnouncer.provenanceOf(v, f.publisherCredential()));
    transfers
        .fetch(target, FileSelection.all())
        .whenComplete(
            (r, err) -> {
              if (err != null) {
                log.warn(
                    "following {}: fetching {}@{} failed: {}",
                    name,
                    name,
                    v.version(),
                    err.getMessage());
              } else {
                retention.apply();
              }
            });
  }
}
