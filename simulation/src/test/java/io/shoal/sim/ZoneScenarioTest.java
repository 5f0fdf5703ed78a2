package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Zones in the simulator: links between zones at a tenth, zone-aware against zone-blind. */
class ZoneScenarioTest {
  private static Scenario zones(boolean aware) {
    return Scenarios.with(
        Scenario.builtIn("swarm-join"),
        Map.of("nodes", 100, "snapshotMib", 64, "zones", 4, "zoneAware", aware));
  }

  @Test
  @DisplayName(
      "4 zones, links between them at a tenth: told their zones, the nodes pull about one copy"
          + " into each zone, far fewer than zone-blind")
  void swarmJoin_fourZones_eachZonePullsAboutOneCopy() {
    SimResult aware = new Simulation(zones(true)).run(null);
    SimResult blind = new Simulation(zones(false)).run(null);

    assertThat(aware.converged()).as(aware.replay()).isTrue();
    assertThat(blind.converged()).as(blind.replay()).isTrue();
    assertThat(aware.crossZoneCopiesPerZone())
        .as("copies per zone, zone-aware (%s)", aware.crossZoneBytes())
        .isBetween(1.0, 1.5);
    assertThat(aware.crossZoneCopiesPerZone())
        .as("zone-aware against zone-blind (%s)", blind.crossZoneBytes())
        .isLessThan(blind.crossZoneCopiesPerZone() / 2);
  }
}
