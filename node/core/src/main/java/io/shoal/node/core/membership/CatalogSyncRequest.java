package io.shoal.node.core.membership;

/**
 * Asks a neighbour for the next page of the catalog announcements it holds ({@link
 * ViewCatalogs#onSyncRequest}): a node sends the first when its active view gains the neighbour,
 * and the next with the cursor of each page it receives.
 *
 * @param cursor where the page starts: empty for the beginning, else a page's {@link
 *     CatalogSyncPage#next}; opaque, at most {@link #MAX_CURSOR_BYTES}
 */
@SuppressWarnings("ArrayRecordComponent") // opaque bytes, never modified; no equality is used
public record CatalogSyncRequest(byte[] cursor) {
  /** Longest cursor, in bytes: a phase, a node id and a snapshot name. */
  public static final int MAX_CURSOR_BYTES = 1 + 16 + 2 + 128;

  /** The first request of a sync. */
  public static CatalogSyncRequest start() {
    return new CatalogSyncRequest(new byte[0]);
  }
}
