package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.VerifiedChunk;
import io.shoal.gossip.NodeId;
import io.shoal.node.net.ChunkDelta;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerFixtures;
import io.shoal.node.net.PeerLink;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A delta reply is rebuilt from this node's bases and verified like any chunk: one that rebuilds
 * other bytes, breaks a bound, or answers a request for the whole chunk counts as a chunk that
 * failed verification (a strike, and the chunk asked for again whole), and the connection stays.
 */
class DeltaReplyTest {
  private static final NodeId PEER = new NodeId(1, 2);

  private final NodeMetrics metrics = new NodeMetrics();
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final PeerLink link = PeerFixtures.link(channel, PEER);
  private final ChunkStore store = ChunkStore.inMemory(64L << 20);
  private final ScheduledExecutorService committer = Executors.newSingleThreadScheduledExecutor();
  private final ChunkSink sink = new ChunkSink(store, committer);
  private final List<Boolean> verified = new CopyOnWriteArrayList<>();
  private final ChunkReceiver receiver =
      new ChunkReceiver(
          sink,
          store,
          Runnable::run,
          new DownloadThrottle(0),
          metrics,
          new ChunkReceiver.Outcome() {
            @Override
            public void onReply(
                FetchJob job, NodeId from, long requestId, boolean ok, int wireBytes) {
              verified.add(ok);
            }

            @Override
            public void onWriteFailed(FetchJob job, IOException why) {
              throw new AssertionError(why);
            }
          });

  private final byte[] base = random(1, 100_000);
  private final ChunkId baseId = VerifiedChunk.hash(HashAlgorithm.XXH128, base).id();
  private final byte[] chunk = edited(base);
  private final ChunkId chunkId = VerifiedChunk.hash(HashAlgorithm.XXH128, chunk).id();

  DeltaReplyTest() throws IOException {
    store.put(VerifiedChunk.hash(HashAlgorithm.XXH128, base));
  }

  @AfterEach
  void stop() {
    sink.close();
    committer.shutdownNow();
  }

  static byte[] random(long seed, int n) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  static byte[] edited(byte[] base) {
    byte[] b = base.clone();
    System.arraycopy(random(2, 1000), 0, b, 40_000, 1000);
    return b;
  }

  private void reply(List<ChunkId> bases, byte[] delta, int rawLength) {
    receiver.requested(7, null, chunkId, bases, PEER);
    receiver.onFrame(PEER, link, PeerFixtures.deltaFrame(7, chunkId, rawLength, delta));
  }

  @Test
  void onFrame_deltaAgainstTheRequestedBase_isVerified() {
    reply(List.of(baseId), ChunkDelta.encode(base, chunk), chunk.length);

    assertThat(verified).containsExactly(true);
    assertThat(metrics.badChunks.get()).isZero();
  }

  @Test
  void onFrame_deltaThatRebuildsOtherBytes_failsVerification() {
    byte[] rebuildsTheBase = ChunkDelta.encode(base, base.clone());
    reply(List.of(baseId), rebuildsTheBase, base.length);

    assertThat(verified).containsExactly(false);
    assertThat(metrics.badChunks.get()).isEqualTo(1);
    assertThat(channel.isOpen()).as("a bad delta is bad bytes, not a malformed frame").isTrue();
  }

  @Test
  void onFrame_truncatedDelta_failsVerification() {
    byte[] delta = ChunkDelta.encode(base, chunk);
    reply(List.of(baseId), java.util.Arrays.copyOf(delta, delta.length - 3), chunk.length);

    assertThat(verified).containsExactly(false);
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void onFrame_deltaAnsweringARequestForTheWholeChunk_failsVerification() {
    reply(List.of(), ChunkDelta.encode(base, chunk), chunk.length);

    assertThat(verified).containsExactly(false);
  }

  @Test
  void onFrame_deltaAgainstABaseThisNodeLacks_failsVerification() {
    ChunkId missing = VerifiedChunk.hash(HashAlgorithm.XXH128, new byte[] {4}).id();
    reply(List.of(missing), ChunkDelta.encode(base, chunk), chunk.length);

    assertThat(verified).containsExactly(false);
  }
}
