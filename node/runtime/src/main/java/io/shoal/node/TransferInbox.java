package io.shoal.node;

import io.netty.channel.EventLoop;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerLink;
import java.util.function.LongConsumer;

/**
 * The transfer loop's inputs ({@link LoopInbox}): what peers send, refused past {@link
 * #PEER_INPUTS} waiting (counted as {@code queue="transfer_peer"}; the peer's request times out on
 * its side and goes elsewhere), with the connection paused before that ({@link ReadThrottle}); and
 * the inputs of this node's own threads (verified replies, serves done, plans, commits), which
 * always run. After each batch the session's outputs are carried out once.
 */
final class TransferInbox {
  /** Inputs waiting past which a peer's message is refused. */
  static final int PEER_INPUTS = 4096;

  /** Inputs waiting past which a connection that delivers a message stops reading. */
  static final int PAUSE_READING_INPUTS = 1024;

  /** Inputs waiting at which paused connections read again. */
  static final int RESUME_READING_INPUTS = 256;

  private final LoopInbox inbox;
  private final ReadThrottle<PeerLink> throttle;
  private final LongConsumer afterInputs;
  private boolean inputsSinceOutputs;

  /**
   * @param afterInputs carries out the session's outputs; on the loop, after a batch with inputs
   */
  TransferInbox(EventLoop loop, NodeMetrics metrics, LongConsumer afterInputs) {
    this.afterInputs = afterInputs;
    this.inbox =
        new LoopInbox(
            loop, PEER_INPUTS, metrics.tasksRefused.labelValues("transfer_peer"), this::flush);
    this.throttle =
        new ReadThrottle<>(
            PAUSE_READING_INPUTS, RESUME_READING_INPUTS, inbox::size, PeerLink::setAutoRead);
  }

  /** Runs a task on the transfer loop (it carries out outputs itself if it needs to). */
  void post(Runnable task) {
    inbox.post(task);
  }

  /** Feeds the session an input of this node's own threads; outputs follow after the batch. */
  void input(LongConsumer atNanos) {
    inbox.post(() -> run(atNanos));
  }

  /** Feeds the session an input {@code link}'s peer caused; false if refused. */
  boolean fromPeer(PeerLink link, LongConsumer atNanos) {
    if (!inbox.offer(() -> run(atNanos))) {
      return false;
    }
    throttle.delivered(link);
    return true;
  }

  void close() {
    inbox.close();
  }

  private void run(LongConsumer atNanos) {
    atNanos.accept(System.nanoTime());
    inputsSinceOutputs = true;
  }

  private void flush() {
    throttle.drained();
    if (inputsSinceOutputs) {
      inputsSinceOutputs = false;
      afterInputs.accept(System.nanoTime());
    }
  }
}
