package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * SimNode's member-gone path: a peer that goes away mid-fetch costs only its requests. The seeder
 * is cut off 3 s in; gossip declares it gone about 20 s later, while the fetch (about 90 s) still
 * runs, and its requests go through TransferSession.onPeerGone to the others (requests that time
 * out before that go elsewhere too: this shows the fetch survives the path, not which came first).
 */
class MemberGoneTest {
  @Test
  @DisplayName(
      "a seeder cut off mid-fetch and declared gone by gossip: the leechers' requests go to the"
          + " other seeder and they complete long before it returns")
  void seederGoneMidFetch_leechersCompleteFromTheOther() throws IOException {
    double healSeconds = 600;
    SimResult r =
        ScenarioTest.run(
            "swarm-join",
            Map.of(
                "nodes", 5,
                "seeders", 2,
                "seed", 3,
                "snapshotMib", 64,
                "seederUploadMBps", 1,
                "limitSeconds", 1200,
                "partitions",
                    List.of(
                        Map.of(
                            "atSeconds",
                            3,
                            "healSeconds",
                            healSeconds,
                            "isolate",
                            1,
                            "groups",
                            List.of()))));

    assertThat(r.violations()).isEmpty();
    assertThat(r.converged()).isTrue();
    assertThat(r.completion().max()).isLessThan(healSeconds / 4);
  }
}
