package io.shoal.node.core.membership;

import static io.shoal.node.core.membership.SwarmDirectoryTest.id;
import static io.shoal.node.core.membership.SwarmDirectoryTest.root;
import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Credential;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Pin;
import io.shoal.gossip.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FollowRuleTest {
  static final NodeId SELF = id(0);
  static final NodeId PUBLISHER = id(9);
  static final Credential PUBLISHERS = Credential.of(new byte[] {1, 2, 3});

  final FollowRule rule =
      new FollowRule(
          SELF, List.of("orders", "logs-*"), p -> p.equals(PUBLISHER) ? PUBLISHERS : null);

  static HeldVersion v(long version, String rootSeed, boolean complete) {
    return new HeldVersion(version, root(rootSeed), complete, 100, PUBLISHER, Signature.NONE);
  }

  static CatalogValue value(HeldVersion... versions) {
    return new CatalogValue(List.of(versions));
  }

  static LocalCatalog local(String name, HeldVersion... versions) {
    TreeMap<String, List<HeldVersion>> m = new TreeMap<>();
    m.put(name, List.of(versions));
    return new LocalCatalog(m, Map.of());
  }

  List<LearnedWinner> winners() {
    List<LearnedWinner> out = new ArrayList<>();
    for (LearnedWinner w; (w = rule.pollWinner()) != null; ) {
      out.add(w);
    }
    return out;
  }

  List<Follow> follows() {
    List<Follow> out = new ArrayList<>();
    for (Follow f; (f = rule.pollFollow()) != null; ) {
      out.add(f);
    }
    return out;
  }

  @Test
  void onAnnounced_followedNameNewWinner_followedWithThePublishersCredential() {
    rule.onAnnounced(id(1), "orders", value(v(3, "a", true)));

    assertThat(winners()).containsExactly(new LearnedWinner("orders", v(3, "a", true), id(1)));
    assertThat(follows()).containsExactly(new Follow("orders", v(3, "a", true), PUBLISHERS));
    assertThat(rule.knownWinner("orders")).isEqualTo(v(3, "a", true));
  }

  @Test
  void onAnnounced_severalNewVersionsAtOnce_onlyTheBestIsLearnedAndFetched() {
    rule.onAnnounced(id(1), "orders", value(v(1, "a", true), v(2, "b", true), v(3, "c", true)));

    assertThat(winners()).containsExactly(new LearnedWinner("orders", v(3, "c", true), id(1)));
    assertThat(follows()).containsExactly(new Follow("orders", v(3, "c", true), PUBLISHERS));
  }

  @Test
  void following_aName_followsItsChangeLog() {
    rule.onAnnounced(id(1), "_log.orders", value(v(40, "a", true)));
    rule.onAnnounced(id(1), "_log.other", value(v(40, "b", true)));

    assertThat(follows()).extracting(Follow::name).containsExactly("_log.orders");
  }

  @Test
  void aNameAndItsChangeLogLearnedTogether_theNameIsFetchedFirst() {
    rule.onAnnounced(id(1), "_log.orders", value(v(40, "a", true)));
    rule.onAnnounced(id(1), "orders", value(v(3, "b", true)));
    rule.onAnnounced(id(1), "logs-eu", value(v(1, "c", true)));

    // The snapshot's offset then tells which of the log's segments a stale replica lacks.
    assertThat(follows())
        .extracting(Follow::name)
        .containsExactly("orders", "logs-eu", "_log.orders");
  }

  @Test
  void onAnnounced_partialVersion_isAWinnerToo() {
    rule.onAnnounced(id(1), "logs-eu", value(v(1, "a", false)));

    assertThat(follows()).extracting(Follow::name).containsExactly("logs-eu");
  }

  @Test
  void onAnnounced_nameNotFollowed_learnedNotFetched() {
    rule.onAnnounced(id(1), "users", value(v(3, "a", true)));

    assertThat(winners()).hasSize(1);
    assertThat(follows()).isEmpty();
  }

  @Test
  void onAnnounced_versionThatDoesNotBeatTheKnownWinner_nothing() {
    rule.onAnnounced(id(1), "orders", value(v(3, "a", true)));
    winners();
    follows();

    rule.onAnnounced(id(2), "orders", value(v(2, "b", true)));
    rule.onAnnounced(id(2), "orders", value(v(3, "a", false))); // the same version, elsewhere

    assertThat(winners()).isEmpty();
    assertThat(follows()).isEmpty();
  }

  @Test
  void onAnnounced_equalVersions_theHigherRootWins() {
    ChunkId a = root("a");
    ChunkId b = root("b");
    String high = a.compareTo(b) > 0 ? "a" : "b";
    String low = high.equals("a") ? "b" : "a";

    rule.onAnnounced(id(1), "orders", value(v(2, low, true)));
    rule.onAnnounced(id(2), "orders", value(v(2, high, true)));
    rule.onAnnounced(id(3), "orders", value(v(2, low, true)));

    assertThat(rule.knownWinner("orders").root()).isEqualTo(root(high));
    assertThat(follows())
        .extracting(f -> f.version().root())
        .containsExactly(root(low), root(high));
  }

  @Test
  void onLocalCatalog_completeVersion_countsAsSeenAndHeld() {
    rule.onLocalCatalog(local("orders", v(3, "a", true)));

    assertThat(winners()).containsExactly(new LearnedWinner("orders", v(3, "a", true), SELF));
    rule.onAnnounced(id(1), "orders", value(v(3, "a", true)));
    assertThat(follows()).isEmpty();
  }

  @Test
  void onLocalCatalog_heldWinnerBeatsALaterLoser_soTheLoserIsNeverFetched() {
    ChunkId a = root("a");
    ChunkId b = root("b");
    String high = a.compareTo(b) > 0 ? "a" : "b";
    String low = high.equals("a") ? "b" : "a";
    rule.onLocalCatalog(local("orders", v(2, high, true)));

    rule.onAnnounced(id(1), "orders", value(v(2, low, true)));

    assertThat(follows()).isEmpty();
    assertThat(rule.knownWinner("orders").root()).isEqualTo(root(high));
  }

  @Test
  void onLocalCatalog_partialVersion_doesNotCount_soGossipResumesTheFetch() {
    rule.onLocalCatalog(local("orders", v(3, "a", false)));
    assertThat(winners()).isEmpty();

    rule.onAnnounced(id(1), "orders", value(v(3, "a", true)));

    assertThat(follows()).extracting(Follow::version).containsExactly(v(3, "a", true));
  }

  @Test
  void onAnnounced_heldCompleteButAnotherRoot_fetched() {
    rule.onLocalCatalog(local("orders", v(1, "a", true)));
    winners();

    rule.onAnnounced(id(1), "orders", value(v(2, "b", true)));

    assertThat(follows()).extracting(Follow::version).containsExactly(v(2, "b", true));
  }

  static Pin pin(long stamp, long version, String rootSeed) {
    return new Pin(stamp, PUBLISHER, version, root(rootSeed), Signature.NONE);
  }

  static Pin unpin(long stamp) {
    return new Pin(stamp, PUBLISHER, 0, null, Signature.NONE);
  }

  void seenOneToThree() {
    rule.onAnnounced(id(1), "orders", value(v(1, "a", true), v(2, "b", true), v(3, "c", true)));
    winners();
    follows();
  }

  @Test
  void onAnnounced_pinToAnOlderSeenVersion_followsIt_andUnpinReturnsToTheHighest() {
    seenOneToThree();

    rule.onAnnounced(id(1), "orders", value(v(3, "c", true)).withPin(pin(10, 2, "b")));

    assertThat(rule.knownWinner("orders")).isEqualTo(v(2, "b", true));
    assertThat(follows()).extracting(Follow::version).containsExactly(v(2, "b", true));
    rule.onAnnounced(id(2), "orders", value(v(4, "d", true))); // a higher version: still pinned
    assertThat(rule.knownWinner("orders")).isEqualTo(v(2, "b", true));
    assertThat(follows()).isEmpty();

    rule.onPin("orders", unpin(11));

    assertThat(rule.knownWinner("orders")).isEqualTo(v(4, "d", true));
    assertThat(follows()).extracting(Follow::version).containsExactly(v(4, "d", true));
  }

  @Test
  void onPin_versionNobodyAnnounced_waitsAndKeepsTheWinner_untilAHolderAnnouncesIt() {
    seenOneToThree();

    rule.onPin("orders", pin(10, 7, "g"));

    assertThat(rule.knownWinner("orders")).isEqualTo(v(3, "c", true));
    assertThat(follows()).isEmpty();
    rule.onAnnounced(id(2), "orders", value(v(7, "other root", true))); // not the pinned root
    assertThat(follows()).isEmpty();
    rule.onAnnounced(id(3), "orders", value(v(7, "g", false)));
    assertThat(follows()).extracting(Follow::version).containsExactly(v(7, "g", false));
  }

  @Test
  void onPin_olderClaimAfterANewerOne_changesNothing() {
    seenOneToThree();
    rule.onPin("orders", unpin(20));

    rule.onPin("orders", pin(10, 1, "a"));

    assertThat(rule.knownWinner("orders")).isEqualTo(v(3, "c", true));
    assertThat(follows()).isEmpty();
  }

  @Test
  void onPin_pinnedVersionHeldComplete_learnedNotFetched() {
    rule.onLocalCatalog(local("orders", v(2, "b", true)));
    seenOneToThree();

    rule.onPin("orders", pin(10, 2, "b"));

    assertThat(winners()).extracting(w -> w.version().version()).containsExactly(2L);
    assertThat(follows()).isEmpty();
  }

  // ---------------------------------------------------------------- failed follows

  static final long S = 1_000_000_000L;

  @Test
  void aFailedFollow_isGivenAgainAfterItsWait_whichDoublesUpToAMinute() {
    rule.onAnnounced(id(1), "orders", value(v(3, "a", true)));
    follows();
    long now = 1_000 * S;
    long[] waits = {5, 10, 20, 40, 60, 60};
    for (long wait : waits) {
      assertThat(rule.onFollowFailed("orders", v(3, "a", true), now)).isEqualTo(now + wait * S);
      assertThat(rule.nextRetryNanos()).isEqualTo(now + wait * S);
      rule.onTimer(now + wait * S - 1);
      assertThat(follows()).as("not before its wait of %d s", wait).isEmpty();
      now += wait * S;
      rule.onTimer(now);
      assertThat(follows()).containsExactly(new Follow("orders", v(3, "a", true), PUBLISHERS));
      assertThat(rule.nextRetryNanos())
          .as("given once, then waiting for its fetch")
          .isEqualTo(Long.MAX_VALUE);
      rule.onTimer(now + 100 * S);
      assertThat(follows()).isEmpty();
    }
  }

  @Test
  void aFailedFollow_ofAVersionANewerWinnerReplaced_isNotGivenAgain_andTheNewOneStartsAfresh() {
    rule.onAnnounced(id(1), "orders", value(v(3, "a", true)));
    follows();
    rule.onFollowFailed("orders", v(3, "a", true), 0);
    rule.onAnnounced(id(1), "orders", value(v(4, "b", true)));
    assertThat(follows()).extracting(f -> f.version().version()).containsExactly(4L);

    rule.onTimer(10 * S);
    assertThat(follows()).isEmpty();
    assertThat(rule.onFollowFailed("orders", v(3, "a", true), 10 * S))
        .as("the old version's fetch failing late")
        .isEqualTo(Long.MAX_VALUE);
    assertThat(rule.onFollowFailed("orders", v(4, "b", true), 10 * S))
        .as("the new version's first failure waits the first wait")
        .isEqualTo(15 * S);
  }

  @Test
  void aFailedFollow_heldCompleteMeanwhile_isNotGivenAgain() {
    rule.onAnnounced(id(1), "orders", value(v(3, "a", true)));
    follows();
    rule.onFollowFailed("orders", v(3, "a", true), 0);
    rule.onLocalCatalog(local("orders", v(3, "a", true))); // a get fetched it

    rule.onTimer(10 * S);

    assertThat(follows()).isEmpty();
    assertThat(rule.nextRetryNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aFailedFollow_ofALogsSnapshot_isGivenAgainAfterTheOthers() {
    rule.onAnnounced(id(1), "_log.orders", value(v(40, "a", true)));
    rule.onAnnounced(id(1), "logs-eu", value(v(2, "b", true)));
    follows();
    rule.onFollowFailed("_log.orders", v(40, "a", true), 0);
    rule.onFollowFailed("logs-eu", v(2, "b", true), 0);

    rule.onTimer(5 * S);

    assertThat(follows()).extracting(Follow::name).containsExactly("logs-eu", "_log.orders");
  }

  @Test
  void aFailedFetch_ofANameNotFollowed_isNotGivenAgain() {
    rule.onAnnounced(id(1), "users", value(v(3, "a", true)));

    assertThat(rule.onFollowFailed("users", v(3, "a", true), 0)).isEqualTo(Long.MAX_VALUE);
    assertThat(rule.onFollowFailed("orders", v(3, "a", true), 0))
        .as("a name with no winner known")
        .isEqualTo(Long.MAX_VALUE);
    rule.onTimer(100 * S);
    assertThat(follows()).isEmpty();
  }
}
