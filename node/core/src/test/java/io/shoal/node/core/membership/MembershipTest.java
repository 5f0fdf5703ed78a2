package io.shoal.node.core.membership;

import static io.shoal.node.core.membership.SwarmDirectoryTest.id;
import static io.shoal.node.core.membership.SwarmDirectoryTest.root;
import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.Credential;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipConfig;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.GossipEvent;
import io.shoal.gossip.GossipPump;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Outbound;
import io.shoal.gossip.Signature;
import io.shoal.node.core.PeerChoice.Candidate;
import io.shoal.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The membership driven by hand: node A is the membership under test; B is a bare gossip core whose
 * messages are delivered at once, both ways, until none is left.
 */
class MembershipTest {
  static final GossipConfig FAST = GossipConfig.defaults().scaledDown(10);
  static final NodeId A = id(1);
  static final NodeId B = id(2);
  static final Endpoint A_AT = new Endpoint("10.0.0.1", 7420);
  static final Endpoint B_AT = new Endpoint("10.0.0.2", 7420);
  static final ChunkId V1 = root("v1");

  final FakeClock clock = new FakeClock(5);
  final ArrayDeque<Outbound> fromA = new ArrayDeque<>();
  long alarmNanos = Long.MAX_VALUE;
  boolean bUp = true;

  /** Whether A's messages reach B (B's always reach A while B is up). */
  boolean aReachesB = true;

  final GossipCore b = core(B, B_AT, ClaimAuthority.unsigned());
  Membership a = membership(ClaimAuthority.unsigned(), List.of("orders"));

  GossipCore core(NodeId id, Endpoint at, ClaimAuthority authority) {
    return new GossipCore(
        FAST, id, at, 1, authority, new SplittableRandom(id.hashCode()), clock.nowNanos());
  }

  Membership membership(ClaimAuthority authority, List<String> follow) {
    return new Membership(
        core(A, A_AT, authority),
        follow,
        fromA::add,
        deadline -> alarmNanos = deadline,
        GossipPump.Failures.rethrow());
  }

  /** Delivers every message in flight, both ways, until none is left. */
  void exchange() {
    for (int round = 0; round < 100; round++) {
      boolean moved = false;
      for (Outbound o; (o = fromA.poll()) != null; ) {
        moved = true;
        if (bUp && aReachesB && o.to().equals(B_AT)) {
          b.onMessage(A, A_AT, o.message(), clock.nowNanos());
        }
      }
      for (Outbound o; (o = b.pollSend()) != null; ) {
        moved = true;
        if (bUp && o.to().equals(A_AT)) {
          a.onMessage(B, B_AT, o.message(), clock.nowNanos());
        }
      }
      if (!moved) {
        return;
      }
    }
    throw new AssertionError("the two nodes never stopped talking");
  }

  /** Runs both nodes' timers for {@code nanos} of virtual time, delivering as it goes. */
  void runFor(long nanos) {
    long end = clock.nowNanos() + nanos;
    while (true) {
      long next =
          bUp && b.nextDeadlineNanos() - alarmNanos < 0 ? b.nextDeadlineNanos() : alarmNanos;
      if (next - end > 0) {
        clock.advanceNanos(end - clock.nowNanos());
        return;
      }
      clock.advanceNanos(Math.max(0, next - clock.nowNanos()));
      if (next == alarmNanos) {
        a.onTimer(clock.nowNanos());
      } else {
        b.onTimer(clock.nowNanos());
      }
      exchange();
    }
  }

  /** B joins through A. */
  void joined() {
    b.join(List.of(A_AT), clock.nowNanos());
    exchange();
  }

  static HeldVersion v(long version, ChunkId root, boolean complete, NodeId publisher) {
    return new HeldVersion(version, root, complete, 100, publisher, Signature.NONE);
  }

  static <T> List<T> drain(java.util.function.Supplier<T> poll) {
    List<T> out = new ArrayList<>();
    for (T t; (t = poll.get()) != null; ) {
      out.add(t);
    }
    return out;
  }

  @Test
  void memberUp_inTheDirectory_andReported() {
    joined();

    assertThat(a.directory().isUp(B)).isTrue();
    assertThat(a.directory().address(B)).isEqualTo(B_AT);
    assertThat(drain(a::pollEvent)).contains(new GossipEvent.MemberUp(B, B_AT, 1));
    assertThat(alarmNanos).isEqualTo(a.nextDeadlineNanos());
  }

  @Test
  void catalogChanged_holderInTheDirectory_winnerLearned_followedNameFetched() {
    joined();

    b.setCatalog("orders", new CatalogValue(List.of(v(1, V1, true, B))), clock.nowNanos());
    runFor(1_000_000_000L);

    assertThat(a.directory().of(V1)).containsExactly(new Candidate(B, true));
    assertThat(drain(a::pollWinner))
        .containsExactly(new LearnedWinner("orders", v(1, V1, true, B), B));
    assertThat(drain(a::pollFollow))
        .singleElement()
        .satisfies(f -> assertThat(f.version()).isEqualTo(v(1, V1, true, B)));
    assertThat(a.knownWinner("orders")).isEqualTo(v(1, V1, true, B));
  }

  @Test
  void memberLeft_goneOnce_andNotAHolderAnyMore() {
    joined();
    b.setCatalog("orders", new CatalogValue(List.of(v(1, V1, true, B))), clock.nowNanos());
    runFor(1_000_000_000L);
    drain(a::pollGone);

    b.leave(clock.nowNanos());
    exchange();

    assertThat(drain(a::pollEvent)).contains(new GossipEvent.MemberLeft(B, B_AT));
    assertThat(drain(a::pollGone)).containsExactly(B);
    assertThat(a.directory().of(V1)).isEmpty();
  }

  /** Runs timers in small steps until {@code a} reports an event of {@code kind}; returns them. */
  List<GossipEvent> runUntilEvent(Class<? extends GossipEvent> kind) {
    List<GossipEvent> seen = new ArrayList<>();
    for (int step = 0; step < 600; step++) {
      runFor(50_000_000L);
      seen.addAll(drain(a::pollEvent));
      if (seen.stream().anyMatch(kind::isInstance)) {
        return seen;
      }
    }
    throw new AssertionError("no " + kind.getSimpleName() + " within 30 s: " + seen);
  }

  @Test
  void memberSuspected_staysUpAndAHolder() {
    joined();
    b.setCatalog("orders", new CatalogValue(List.of(v(1, V1, true, B))), clock.nowNanos());
    runFor(1_000_000_000L);
    drain(a::pollEvent);

    bUp = false;
    runUntilEvent(GossipEvent.MemberSuspected.class);

    assertThat(a.directory().isUp(B)).isTrue();
    assertThat(a.directory().of(V1)).containsExactly(new Candidate(B, true));
    assertThat(drain(a::pollGone)).isEmpty();
  }

  @Test
  void refuted_passedOn_andTheDirectoryUnchanged() {
    joined();
    runFor(1_000_000_000L);
    drain(a::pollEvent);

    aReachesB = false; // B stops hearing A, suspects it and tells it so
    List<GossipEvent> events = runUntilEvent(GossipEvent.Refuted.class);

    assertThat(events).noneMatch(e -> e instanceof GossipEvent.MemberDown);
    assertThat(a.directory().isUp(B)).isTrue();
    assertThat(drain(a::pollGone)).isEmpty();
  }

  @Test
  void memberDownThenRemoved_goneOnce_thenItsCatalogForgotten() {
    joined();
    b.setCatalog("orders", new CatalogValue(List.of(v(1, V1, true, B))), clock.nowNanos());
    runFor(1_000_000_000L);
    drain(a::pollEvent);

    bUp = false;
    runFor(FAST.deadRetentionNanos() + 20_000_000_000L);

    List<GossipEvent> events = drain(a::pollEvent);
    assertThat(events).anyMatch(e -> e instanceof GossipEvent.MemberDown d && d.id().equals(B));
    assertThat(events).contains(new GossipEvent.MemberRemoved(B));
    assertThat(drain(a::pollGone)).containsExactly(B);
    // Back up, the member is a holder again only of what gossip says now.
    a.directory().memberUp(B, B_AT);
    assertThat(a.directory().of(V1)).isEmpty();
  }

  @Test
  void onLocalCatalog_announcesTheNewestVersionsAndTombstonesWhatIsGone() {
    TreeMap<String, List<HeldVersion>> held = new TreeMap<>();
    List<HeldVersion> many = new ArrayList<>();
    for (int i = 1; i <= CatalogValue.MAX_VERSIONS + 3; i++) {
      many.add(v(i, root("orders" + i), true, A));
    }
    held.put("orders", many);
    held.put("users", List.of(v(1, root("u"), true, A)));
    a.onLocalCatalog(new LocalCatalog(held, Map.of()), clock.nowNanos());

    CatalogValue orders = a.core().catalogs().get(A).get("orders");
    assertThat(orders.versions()).hasSize(CatalogValue.MAX_VERSIONS);
    assertThat(orders.versions().get(0).version()).isEqualTo(4);

    held.remove("users");
    a.onLocalCatalog(new LocalCatalog(held, Map.of()), clock.nowNanos());
    joined();
    runFor(1_000_000_000L);

    assertThat(b.catalogs().get(A)).containsOnlyKeys("orders");
  }

  @Test
  void onLocalCatalog_ownCompleteVersion_isTheWinner_soALosingTwinIsNotFetched() {
    ChunkId x = root("x");
    ChunkId y = root("y");
    ChunkId high = x.compareTo(y) > 0 ? x : y;
    ChunkId low = high.equals(x) ? y : x;
    TreeMap<String, List<HeldVersion>> held = new TreeMap<>();
    held.put("orders", List.of(v(1, high, true, A)));
    a.onLocalCatalog(new LocalCatalog(held, Map.of()), clock.nowNanos());
    assertThat(drain(a::pollWinner))
        .containsExactly(new LearnedWinner("orders", v(1, high, true, A), A));
    joined();

    b.setCatalog("orders", new CatalogValue(List.of(v(1, low, true, B))), clock.nowNanos());
    runFor(1_000_000_000L);

    assertThat(a.directory().of(low)).containsExactly(new Candidate(B, true));
    assertThat(drain(a::pollFollow)).isEmpty();
    assertThat(a.knownWinner("orders").root()).isEqualTo(high);
  }

  @Test
  void onLocalCatalog_signed_carriesCredentials_dropsRefusedPublishers_reportsUnknownOnes() {
    NodeId carried = id(7);
    NodeId refused = id(8);
    NodeId unknown = id(9);
    FakeAuthority authority = new FakeAuthority(A);
    authority.refuse(refused);
    a = membership(authority, List.of());
    TreeMap<String, List<HeldVersion>> held = new TreeMap<>();
    held.put("orders", List.of(v(1, V1, true, carried), v(2, root("v2"), true, refused)));
    held.put("users", List.of(v(1, root("u"), true, unknown)));

    a.onLocalCatalog(
        new LocalCatalog(
            held,
            Map.of(
                carried,
                FakeAuthority.credentialOf(carried),
                refused,
                FakeAuthority.credentialOf(refused))),
        clock.nowNanos());

    assertThat(a.core().catalogs().get(A).get("orders").versions())
        .extracting(HeldVersion::publisher)
        .containsExactly(carried);
    assertThat(a.core().credentialOf(carried)).isEqualTo(FakeAuthority.credentialOf(carried));
    assertThat(drain(a::pollUnannounced)).extracting(Unannounced::name).containsExactly("users");
  }

  /**
   * Signs with nothing and admits the credential {@code "node:" + id} for exactly that id, unless
   * refused: enough for the core's signed paths without cryptography.
   */
  static final class FakeAuthority implements ClaimAuthority {
    private final NodeId self;
    private final Set<NodeId> refused = new HashSet<>();

    FakeAuthority(NodeId self) {
      this.self = self;
    }

    static Credential credentialOf(NodeId id) {
      return Credential.of(bytes(id));
    }

    static byte[] bytes(NodeId id) {
      return ("node:" + id.toHex()).getBytes(StandardCharsets.UTF_8);
    }

    void refuse(NodeId id) {
      refused.add(id);
    }

    @Override
    public boolean isSigning() {
      return true;
    }

    @Override
    public byte[] ownCredential() {
      return bytes(self);
    }

    @Override
    public byte[] sign(byte[] payload) {
      return new byte[] {1};
    }

    @Override
    public ClaimKey admit(NodeId subject, byte[] credential) {
      return !refused.contains(subject) && Arrays.equals(credential, bytes(subject))
          ? (payload, signature) -> true
          : null;
    }

    @Override
    public boolean trusts(NodeId publisher, ChunkId root) {
      return true;
    }
  }
}
