package io.shoal.node.net;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.shoal.node.core.membership.CatalogSyncPage;
import io.shoal.node.core.membership.CatalogSyncRequest;
import io.shoal.node.core.membership.ViewCatalogs;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire forms of the catalog sync of views mode (protocol version 6): a {@link
 * CatalogSyncRequest} (registration id {@link KryoRegistry#CATALOG_SYNC_REQUEST}) and a {@link
 * CatalogSyncPage} ({@link KryoRegistry#CATALOG_SYNC_PAGE}). Every length and count is checked
 * against the records' own bounds (and the bytes left) before anything is allocated; the encoders
 * write what they are given, so hostile-peer tests can send oversized ones.
 *
 * <pre>
 * request: cursor length (varint 0..147) | cursor
 * page:    count (varint 0..80) | (length (varint 0..1024) | payload) x count
 *          | next length (varint 0..147) | next
 * </pre>
 */
final class CatalogSyncSerializers {
  private CatalogSyncSerializers() {}

  static final class RequestSerializer extends Serializer<CatalogSyncRequest> {
    @Override
    public void write(Kryo kryo, Output out, CatalogSyncRequest r) {
      writeBytes(out, r.cursor());
    }

    @Override
    public CatalogSyncRequest read(Kryo kryo, Input in, Class<? extends CatalogSyncRequest> t) {
      return new CatalogSyncRequest(readCursor(in, "sync cursor length"));
    }
  }

  static final class PageSerializer extends Serializer<CatalogSyncPage> {
    @Override
    public void write(Kryo kryo, Output out, CatalogSyncPage p) {
      out.writeVarInt(p.payloads().size(), true);
      for (byte[] payload : p.payloads()) {
        writeBytes(out, payload);
      }
      writeBytes(out, p.next());
    }

    @Override
    public CatalogSyncPage read(Kryo kryo, Input in, Class<? extends CatalogSyncPage> t) {
      int n = in.readVarInt(true);
      if (n < 0 || n > CatalogSyncPage.MAX_PAYLOADS) {
        throw new MalformedMessageException(
            "sync page payload count = "
                + n
                + " is out of range (0.."
                + CatalogSyncPage.MAX_PAYLOADS
                + ")");
      }
      List<byte[]> payloads = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        payloads.add(
            in.readBytes(
                Wire.readCount(in, ViewCatalogs.MAX_PAYLOAD_BYTES, "sync page payload length")));
      }
      return new CatalogSyncPage(payloads, readCursor(in, "sync page next cursor length"));
    }
  }

  private static void writeBytes(Output out, byte[] b) {
    out.writeVarInt(b.length, true);
    out.writeBytes(b);
  }

  private static byte[] readCursor(Input in, String field) {
    return in.readBytes(Wire.readCount(in, CatalogSyncRequest.MAX_CURSOR_BYTES, field));
  }
}
