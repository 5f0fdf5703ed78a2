package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Signature;
import io.shoal.node.core.membership.Follow;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The follow rule's fetches, and how they wait while a restore of the same name runs. */
class FollowerTest {
  private final List<String> fetched = new CopyOnWriteArrayList<>();
  private final AtomicInteger retained = new AtomicInteger();
  private final Follower follower =
      new Follower(
          (CatalogEntry e, io.shoal.chunkstore.snapshot.FileSelection s) -> {
            fetched.add(e.name() + "@" + e.version());
            return CompletableFuture.completedFuture(null);
          },
          retained::incrementAndGet,
          () -> false);

  private static Follow follow(String name, long version) {
    return new Follow(
        name,
        new HeldVersion(
            version,
            HashAlgorithm.XXH128.hash(new byte[] {(byte) version}),
            true,
            100,
            new NodeId(1, 2),
            Signature.NONE),
        null);
  }

  @Test
  void aNewWinner_isFetched_thenRetentionRuns() {
    follower.onFollow(follow("kv", 1));
    assertThat(fetched).containsExactly("kv@1");
    assertThat(retained).hasValue(1);
  }

  @Test
  void whileARestoreOfTheNameRuns_itsWinnersWait_andTheNewestIsFetchedWhenItEnds() {
    Runnable first = follower.restoring("kv");
    Runnable second = follower.restoring("kv");
    follower.onFollow(follow("kv", 2));
    follower.onFollow(follow("kv", 3));
    follower.onFollow(follow("_log.kv", 7)); // another name (the log's) is not held back
    assertThat(fetched).containsExactly("_log.kv@7");

    first.run();
    assertThat(fetched).as("a second restore of kv still runs").containsExactly("_log.kv@7");
    second.run();
    assertThat(fetched).containsExactly("_log.kv@7", "kv@3");

    follower.onFollow(follow("kv", 4));
    assertThat(fetched).as("no restore runs now").containsExactly("_log.kv@7", "kv@3", "kv@4");
  }

  @Test
  void aRestoreThatEndsWithNoWinnerDeferred_fetchesNothing() {
    follower.restoring("kv").run();
    assertThat(fetched).isEmpty();
    follower.onFollow(follow("kv", 5));
    assertThat(fetched).containsExactly("kv@5");
  }
}
