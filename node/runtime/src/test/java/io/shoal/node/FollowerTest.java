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
  private final List<String> failed = new CopyOnWriteArrayList<>();
  private final Follower follower =
      new Follower(
          (CatalogEntry e, io.shoal.chunkstore.snapshot.FileSelection s) -> {
            fetched.add(e.name() + "@" + e.version());
            return CompletableFuture.completedFuture(null);
          },
          retained::incrementAndGet,
          () -> false,
          (name, v) -> failed.add(name + "@" + v.version()));

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
  void aFailedFetch_goesBackToTheFollowRule_withoutRetention_unlessTheNodeCloses() {
    java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();
    Follower f =
        new Follower(
            (CatalogEntry e, io.shoal.chunkstore.snapshot.FileSelection s) ->
                CompletableFuture.failedFuture(new java.io.IOException("no peer left")),
            retained::incrementAndGet,
            closed::get,
            (name, v) -> failed.add(name + "@" + v.version()));
    f.onFollow(follow("kv", 1));
    f.onFollow(follow("_log.kv", 7));
    assertThat(failed).containsExactly("kv@1", "_log.kv@7");
    assertThat(retained).hasValue(0);

    closed.set(true);
    f.onFollow(follow("kv", 2));
    assertThat(failed).as("a closed node fetches and reports nothing").hasSize(2);
    follower.onFollow(follow("kv", 3));
    assertThat(failed).as("a fetch that worked is not reported").hasSize(2);
  }

  @Test
  void whileARestoreOfTheNameRuns_itsWinnersAndItsLogsWait_andTheNewestOfEachIsFetchedWhenItEnds() {
    Runnable first = follower.restoring("kv");
    Runnable second = follower.restoring("kv");
    follower.onFollow(follow("kv", 2));
    follower.onFollow(follow("_log.kv", 6));
    follower.onFollow(follow("kv", 3));
    follower.onFollow(follow("_log.kv", 7));
    follower.onFollow(follow("other", 1)); // another name is not held back
    follower.onFollow(follow("_log.other", 9)); // nor another name's log
    assertThat(fetched).containsExactly("other@1", "_log.other@9");

    first.run();
    assertThat(fetched).as("a second restore of kv still runs").hasSize(2);
    second.run();
    assertThat(fetched).containsExactly("other@1", "_log.other@9", "kv@3", "_log.kv@7");

    follower.onFollow(follow("kv", 4));
    follower.onFollow(follow("_log.kv", 8));
    assertThat(fetched)
        .as("no restore runs now")
        .containsExactly("other@1", "_log.other@9", "kv@3", "_log.kv@7", "kv@4", "_log.kv@8");
  }

  @Test
  void aRestoreOfALogsSnapshot_holdsBackThatLogsFollows() {
    Runnable done = follower.restoring("_log.kv");
    follower.onFollow(follow("_log.kv", 3));
    follower.onFollow(follow("kv", 1)); // the log's restore does not hold back its name
    assertThat(fetched).containsExactly("kv@1");
    done.run();
    assertThat(fetched).containsExactly("kv@1", "_log.kv@3");
  }

  @Test
  void aRestoreThatEndsWithNoWinnerDeferred_fetchesNothing() {
    follower.restoring("kv").run();
    assertThat(fetched).isEmpty();
    follower.onFollow(follow("kv", 5));
    assertThat(fetched).containsExactly("kv@5");
  }

  @Test
  void aStaleLog_waitsWhileItsNameIsFetched_thenFetchesTheSegmentsItsLogsPick() {
    java.util.Map<String, CompletableFuture<FetchResult>> running = new java.util.HashMap<>();
    List<String> selections = new CopyOnWriteArrayList<>();
    List<String> logsFetched = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean stale =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Follower f =
        new Follower(
            (CatalogEntry e, io.shoal.chunkstore.snapshot.FileSelection s) -> {
              fetched.add(e.name() + "@" + e.version());
              selections.add(s.toString());
              CompletableFuture<FetchResult> done = new CompletableFuture<>();
              running.put(e.name() + "@" + e.version(), done);
              return done;
            },
            retained::incrementAndGet,
            () -> false,
            (name, v) -> failed.add(name + "@" + v.version()));
    f.logs(
        new Follower.LogFollows() {
          @Override
          public io.shoal.chunkstore.snapshot.FileSelection segments(CatalogEntry target) {
            return io.shoal.chunkstore.snapshot.FileSelection.chosen(
                "segments of " + target.name(), t -> t.entries());
          }

          @Override
          public boolean waitsForSnapshot(String name) {
            return stale.get();
          }

          @Override
          public void fetched(CatalogEntry entry) {
            logsFetched.add(entry.name() + "@" + entry.version());
          }
        });

    f.onFollow(follow("kv", 3));
    f.onFollow(follow("_log.kv", 40)); // the replica is stale: it waits for kv@3
    assertThat(fetched).containsExactly("kv@3");
    running.get("kv@3").complete(null);
    assertThat(fetched).containsExactly("kv@3", "_log.kv@40");
    assertThat(selections).containsExactly("all files", "segments of _log.kv");
    running.get("_log.kv@40").complete(null);
    assertThat(logsFetched).containsExactly("_log.kv@40");

    stale.set(false); // caught up once: the log no longer waits for its name
    f.onFollow(follow("kv", 4));
    f.onFollow(follow("_log.kv", 41));
    assertThat(fetched).containsExactly("kv@3", "_log.kv@40", "kv@4", "_log.kv@41");
    running.get("kv@4").complete(null);

    stale.set(true); // a failed fetch of the name lets the log go on as well
    f.onFollow(follow("kv", 5));
    f.onFollow(follow("_log.kv", 42));
    assertThat(fetched).hasSize(5);
    running.get("kv@5").completeExceptionally(new java.io.IOException("no peer"));
    assertThat(fetched).endsWith("kv@5", "_log.kv@42");
  }
}
