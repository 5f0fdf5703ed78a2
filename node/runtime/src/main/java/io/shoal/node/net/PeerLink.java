package io.shoal.node.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.shoal.gossip.NodeId;

/**
 * One authenticated connection to a peer, as the transfer layer sees it: where to send the reply to
 * a request, and whether the socket can take more. Thread-safe (Netty channels are).
 */
public final class PeerLink {
  private final Channel channel;
  private final PeerAuthenticated authenticated;
  private final boolean encrypted;

  PeerLink(Channel channel, PeerAuthenticated authenticated) {
    this.channel = channel;
    this.authenticated = authenticated;
    this.encrypted = isEncrypted(channel);
  }

  public NodeId peer() {
    return authenticated.nodeId();
  }

  /** Who the peer proved to be, with its certificate when the connection is secured. */
  public PeerAuthenticated authenticated() {
    return authenticated;
  }

  /**
   * Whether bytes pass through TLS on this connection: then a chunk cannot be sent zero-copy from
   * its file (a {@link io.netty.channel.FileRegion}), and is read into a pooled buffer instead.
   */
  public boolean isEncrypted() {
    return encrypted;
  }

  static boolean isEncrypted(Channel channel) {
    return channel.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null;
  }

  /** Sends a control message on this connection. */
  public void send(Object message) {
    channel.writeAndFlush(message, channel.voidPromise());
  }

  /** Sends one whole chunk frame (length, header and payload in one buffer), flushed. */
  public ChannelFuture sendFrame(io.netty.buffer.ByteBuf frame) {
    return channel.writeAndFlush(frame);
  }

  /**
   * Sends a chunk frame: its header, then the payload (a buffer, or a file region when {@link
   * #isEncrypted} is false). Both writes happen in one task on the channel's event loop, so no
   * other write can fall between them. If that loop no longer takes tasks (the node is stopping),
   * both are released and the returned future fails: a frame handed over is never leaked.
   */
  public ChannelFuture sendChunk(io.netty.buffer.ByteBuf header, Object payload) {
    io.netty.channel.ChannelPromise promise = channel.newPromise();
    if (channel.eventLoop().inEventLoop()) {
      channel.write(header, channel.voidPromise());
      channel.writeAndFlush(payload, promise);
      return promise;
    }
    try {
      channel
          .eventLoop()
          .execute(
              () -> {
                channel.write(header, channel.voidPromise());
                channel.writeAndFlush(payload, promise);
              });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      io.netty.util.ReferenceCountUtil.release(header);
      io.netty.util.ReferenceCountUtil.release(payload);
      promise.tryFailure(e);
    }
    return promise;
  }

  public boolean isWritable() {
    return channel.isWritable();
  }

  public boolean isActive() {
    return channel.isActive();
  }

  public EventLoop eventLoop() {
    return channel.eventLoop();
  }

  public ByteBufAllocator alloc() {
    return channel.alloc();
  }

  /** Stops or resumes reading from the socket, which pushes back on the sender. */
  public void setAutoRead(boolean autoRead) {
    channel.config().setAutoRead(autoRead);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerLink l && l.channel == channel;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(channel);
  }

  @Override
  public String toString() {
    return "PeerLink[" + peer().shortHex() + " " + channel.remoteAddress() + "]";
  }
}
