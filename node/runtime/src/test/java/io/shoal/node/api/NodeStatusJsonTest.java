package io.shoal.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeStatusJsonTest {
  static final NodeStatus.Self SELF =
      new NodeStatus.Self("ab", "127.0.0.1:1", "127.0.0.1:2", "c", false, 0, 1, 0, "/d");

  @Test
  void fullMembershipStatus_hasNoViewsField() throws Exception {
    NodeStatus s = new NodeStatus(SELF, List.of(), List.of(), List.of(), null, null, null);
    assertThat(new ObjectMapper().writeValueAsString(s)).doesNotContain("views");
  }

  @Test
  void viewsStatus_roundTripsItsViews() throws Exception {
    NodeStatus s =
        new NodeStatus(SELF, List.of(), List.of(), List.of(), null, null, null)
            .withViews(new NodeStatus.Views(List.of("a1"), List.of("b2", "c3")));
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readValue(json.writeValueAsString(s), NodeStatus.class).views())
        .isEqualTo(s.views());
  }
}
