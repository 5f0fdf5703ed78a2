package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ViewSimulationTest {
  private static ViewScenario small(long seed, double crashFraction) {
    return ViewScenario.resolve(
        Map.of(
            "nodes", 300,
            "seed", seed,
            "broadcasts", 60,
            "joinSpreadSeconds", 20,
            "broadcastSpreadSeconds", 30,
            "crashFraction", crashFraction));
  }

  @Test
  @DisplayName("300 nodes join, 60 broadcasts: connected views, every live node delivers every one")
  void run_noCrashes_everyBroadcastReachesEveryNode() {
    ViewResult r = new ViewSimulation(small(3, 0)).run();
    assertThat(r.connected()).isTrue();
    assertThat(r.liveNodes()).isEqualTo(300);
    assertThat(r.activeViewMin()).isGreaterThanOrEqualTo(2);
    assertThat(r.asymmetricLinks()).isZero();
    assertThat(r.broadcasts()).isEqualTo(60);
    assertThat(r.fullyDelivered()).isEqualTo(60);
    assertThat(r.latencyMax()).isLessThan(10);
    assertThat(r.messagesByType().get("GOSSIP")).isGreaterThanOrEqualTo(60L * 299);
    assertThat(r.messagesPerNodeSecond()).isGreaterThan(0);
  }

  @Test
  @DisplayName("5% of 300 nodes crash while broadcasts spread: the views stay connected")
  void run_withCrashes_viewsStayConnectedAndBroadcastsArrive() {
    ViewResult r = new ViewSimulation(small(4, 0.05)).run();
    assertThat(r.crashedNodes()).isGreaterThan(10);
    assertThat(r.connected()).isTrue();
    assertThat(r.reliabilityMean()).isGreaterThan(0.97);
  }

  @Test
  void run_sameSeed_sameTraceHash_otherSeed_otherHash() {
    ViewResult a = new ViewSimulation(small(5, 0.02)).run();
    ViewResult b = new ViewSimulation(small(5, 0.02)).run();
    ViewResult c = new ViewSimulation(small(6, 0.02)).run();
    assertThat(b.traceHash()).isEqualTo(a.traceHash());
    assertThat(b.events()).isEqualTo(a.events());
    assertThat(c.traceHash()).isNotEqualTo(a.traceHash());
  }

  @Test
  void resolve_unknownFieldOrBadValue_oneClearError() {
    assertThatThrownBy(() -> ViewScenario.resolve(Map.of("nodez", 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodez");
    assertThatThrownBy(() -> ViewScenario.resolve(Map.of("crashFraction", 0.9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("crashFraction");
  }
}
