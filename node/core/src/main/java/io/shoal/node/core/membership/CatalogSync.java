package io.shoal.node.core.membership;

import io.shoal.chunkstore.FormatWriter;
import io.shoal.gossip.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The pages of a catalog sync ({@link CatalogSyncRequest}, {@link CatalogSyncPage}): first every
 * admitted credential in subject order, then every owner's announcements in owner and name order,
 * each as the payloads that carried it. A cursor names the last credential or announcement sent:
 *
 * <pre>
 * cursor: empty (the start) | phase u8 (1 credentials, 2 announcements) | id 16 | name (the rest)
 * </pre>
 *
 * so cursors of later pages compare greater as unsigned bytes, which lets a requester refuse a
 * neighbour that leads it in circles. Pure functions over the table.
 */
final class CatalogSync {
  private static final int CREDENTIALS = 1;
  private static final int ANNOUNCEMENTS = 2;

  private CatalogSync() {}

  /** The page after {@code cursor}; null when the cursor is malformed. */
  static CatalogSyncPage page(CatalogTable table, CredentialCache credentials, byte[] cursor) {
    if (cursor.length != 0
        && (cursor.length < 17 || cursor.length > CatalogSyncRequest.MAX_CURSOR_BYTES)) {
      return null;
    }
    int phase = cursor.length == 0 ? CREDENTIALS : cursor[0];
    if (phase != CREDENTIALS && phase != ANNOUNCEMENTS) {
      return null;
    }
    NodeId after = cursor.length == 0 ? null : id(cursor);
    List<byte[]> out = new ArrayList<>();
    byte[] resume = cursor;
    if (phase == CREDENTIALS) {
      NavigableMap<NodeId, CredentialCache.Known> known =
          after == null ? credentials.known() : credentials.known().tailMap(after, false);
      for (Map.Entry<NodeId, CredentialCache.Known> e : known.entrySet()) {
        List<byte[]> parts = e.getValue().parts();
        if (out.size() + parts.size() > CatalogSyncPage.MAX_PAYLOADS) {
          return new CatalogSyncPage(out, resume);
        }
        out.addAll(parts);
        resume = cursor(CREDENTIALS, e.getKey(), "");
      }
      after = null;
    }
    String afterName = phase == ANNOUNCEMENTS ? name(cursor) : null;
    NavigableMap<NodeId, CatalogTable.Owner> owners =
        after == null ? table.owners() : table.owners().tailMap(after, true);
    for (Map.Entry<NodeId, CatalogTable.Owner> o : owners.entrySet()) {
      NavigableMap<String, CatalogTable.Entry> names = o.getValue().names;
      if (after != null && o.getKey().equals(after)) {
        names = names.tailMap(afterName, false);
      }
      for (Map.Entry<String, CatalogTable.Entry> n : names.entrySet()) {
        List<byte[]> parts = n.getValue().parts();
        if (out.size() + parts.size() > CatalogSyncPage.MAX_PAYLOADS) {
          return new CatalogSyncPage(out, resume);
        }
        out.addAll(parts);
        resume = cursor(ANNOUNCEMENTS, o.getKey(), n.getKey());
      }
    }
    return new CatalogSyncPage(out, new byte[0]);
  }

  /** Whether {@code next} lies past {@code previous}: a sync moves forward or it is refused. */
  static boolean isPast(byte[] next, byte[] previous) {
    return Arrays.compareUnsigned(next, previous) > 0;
  }

  private static byte[] cursor(int phase, NodeId id, String name) {
    return new FormatWriter(32)
        .u8(phase)
        .u64(id.high())
        .u64(id.low())
        .bytes(name.getBytes(StandardCharsets.UTF_8))
        .toByteArray();
  }

  private static NodeId id(byte[] cursor) {
    ByteBuffer b = ByteBuffer.wrap(cursor, 1, 16);
    return new NodeId(b.getLong(), b.getLong());
  }

  private static String name(byte[] cursor) {
    return new String(cursor, 17, cursor.length - 17, StandardCharsets.UTF_8);
  }
}
