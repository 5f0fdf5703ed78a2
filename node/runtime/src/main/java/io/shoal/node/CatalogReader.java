package io.shoal.node;

import io.shoal.gossip.CatalogSource;
import java.util.function.Function;

/**
 * Reads the swarm's catalogs on the loop that owns them: full membership's gossip loop ({@link
 * GossipDriver}) or, with {@code --membership views}, the views' loop ({@link ViewCatalogDriver}).
 */
interface CatalogReader {
  /** Runs {@code read} on the owning loop, after the inputs given so far, and waits for it. */
  <T> T readCatalogs(Function<CatalogSource, T> read);
}
