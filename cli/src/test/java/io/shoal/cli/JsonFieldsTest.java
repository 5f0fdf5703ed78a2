package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFieldsTest {
  /** Fields every one of get, fetch and ls prints, with the same meaning. */
  static final List<String> SHARED = List.of("name", "version", "root", "sizeBytes");

  /** Fields the two commands that write a snapshot out (get, fetch) both print. */
  static final List<String> WRITERS = List.of("path", "seconds");

  @TempDir Path tmp;

  @Test
  void getFetchAndLs_nameTheSameConceptsTheSame() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("blob.bin"), 5, 300_000);
    String data = tmp.resolve("data").toString();
    ObjectMapper json = new ObjectMapper();
    assertThat(CliTest.shoal("publish", "blob", src.toString(), "--data", data).code()).isZero();

    JsonNode ls = json.readTree(CliTest.shoal("ls", "--data", data, "--json").out()).get(0);
    CliTest.Run getRun =
        CliTest.shoal("get", "blob", "-o", tmp.resolve("got").toString(), "--data", data, "--json");
    assertThat(getRun.code()).as(getRun.err()).isZero();
    JsonNode get = json.readTree(getRun.out());
    JsonNode fetch;
    try (ShoalNode seed = ShoalNode.start(NodeConfig.loopback(Path.of(data)))) {
      CliTest.Run fetchRun =
          CliTest.shoal(
              "fetch",
              "blob",
              "-o",
              tmp.resolve("fetched").toString(),
              "--join",
              "127.0.0.1:" + seed.peerAddress().port(),
              "--json");
      assertThat(fetchRun.code()).as(fetchRun.err()).isZero();
      fetch = json.readTree(fetchRun.out());
    }

    for (String field : SHARED) {
      assertThat(List.of(ls, get, fetch)).allMatch(n -> n.has(field), "all have " + field);
      assertThat(get.get(field)).as(field + " of get and ls").isEqualTo(ls.get(field));
      assertThat(fetch.get(field)).as(field + " of fetch and ls").isEqualTo(ls.get(field));
    }
    for (String field : WRITERS) {
      assertThat(List.of(get, fetch)).allMatch(n -> n.has(field), "both have " + field);
    }
    List<String> names = new ArrayList<>();
    List.of(ls, get, fetch).forEach(n -> n.fieldNames().forEachRemaining(names::add));
    assertThat(names).allMatch(f -> f.matches("[a-z]+([A-Z][a-z0-9]*)*"), "camelCase");
  }
}
