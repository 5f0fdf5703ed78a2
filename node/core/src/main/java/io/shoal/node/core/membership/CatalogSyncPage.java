package io.shoal.node.core.membership;

import java.util.List;

/**
 * One page of the catalog announcements a neighbour holds, as the signed payloads it received (or
 * made), forwarded unchanged so that the receiver checks each owner's own signature: the
 * credentials first, then every owner's announcements, in id and name order.
 *
 * @param payloads at most {@link #MAX_PAYLOADS}, each at most one broadcast's bytes
 * @param next the cursor of the next page's request; empty when this page is the last
 */
@SuppressWarnings("ArrayRecordComponent") // opaque bytes, never modified; no equality is used
public record CatalogSyncPage(List<byte[]> payloads, byte[] next) {
  /**
   * Most payloads in one page: an announcement's {@link CatalogCodec#MAX_PARTS} parts fit whole, so
   * a page is at most 80 KiB.
   */
  public static final int MAX_PAYLOADS = 80;

  /** Whether no page follows this one. */
  public boolean isLast() {
    return next.length == 0;
  }
}
