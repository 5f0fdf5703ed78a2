package io.shoal.node.net;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;

/** Connections and chunk frames made by a test, for tests outside this package. */
public final class PeerFixtures {
  private PeerFixtures() {}

  /** A link to {@code peer} over {@code channel} (an {@code EmbeddedChannel} in tests). */
  public static PeerLink link(Channel channel, NodeId peer) {
    return new PeerLink(
        channel,
        new PeerAuthenticated(
            peer, new Endpoint("127.0.0.1", 1), WireProtocol.MAX_VERSION, new byte[0]));
  }

  /** A raw chunk frame answering {@code requestId} with {@code id} and {@code bytes}. */
  public static ChunkFrame frame(long requestId, ChunkId id, byte[] bytes) {
    return new ChunkFrame(
        requestId, id, ChunkFrame.ENCODING_RAW, bytes.length, Unpooled.wrappedBuffer(bytes));
  }

  /** A delta chunk frame answering {@code requestId}: {@code delta} rebuilds {@code rawLength}. */
  public static ChunkFrame deltaFrame(long requestId, ChunkId id, int rawLength, byte[] delta) {
    return new ChunkFrame(
        requestId, id, ChunkFrame.ENCODING_DELTA, rawLength, Unpooled.wrappedBuffer(delta));
  }
}
