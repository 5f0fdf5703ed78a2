package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.cli.CliTest.Run;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code get --path}, {@code ls NAME} and {@code rm} through a running node, on loopback. */
class SelectiveGetTest {
  static final int FILES = 10;
  static final int FILE_BYTES = 2 << 20;

  @TempDir Path tmp;

  private static Run shoal(String... args) {
    return CliTest.shoal(args);
  }

  /** Chunk bytes the node received from peers, from its metrics. */
  private static long receivedBytes(ShoalNode node) {
    for (String line : node.metrics().scrape().lines().toList()) {
      if (line.startsWith("shoal_transfer_received_bytes_total ")) {
        return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1));
      }
    }
    return 0;
  }

  @Test
  @DisplayName(
      "get --path of 1 file in 10 through a node moves about a tenth of the bytes and writes that"
          + " file alone; ls lists the files, rm removes the partial version")
  void getPath_oneFileOfTen_movesAboutATenth() throws Exception {
    Path src = tmp.resolve("tree");
    for (int i = 0; i < FILES; i++) {
      TestData.randomFile(src.resolve("sub/f" + i + ".bin"), 40 + i, FILE_BYTES);
    }
    Path fetcherDir = tmp.resolve("fetcher");
    try (ShoalNode seed = ShoalNode.start(NodeConfig.loopback(tmp.resolve("seed")));
        ShoalNode fetcher =
            ShoalNode.start(
                NodeConfig.loopback(fetcherDir).withSeeds(List.of(seed.peerAddress())))) {
      seed.publish(new PublishCall("tree", src.toString(), null, null, null));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> fetcher.status().winners().stream().anyMatch(w -> w.name().equals("tree")));

      Path none = tmp.resolve("none");
      Run nothing =
          shoal(
              "get",
              "tree",
              "--path",
              "nope/*",
              "-o",
              none.toString(),
              "--data",
              fetcherDir.toString());
      assertThat(nothing.code()).isEqualTo(Main.EXIT_FAILURE);
      assertThat(nothing.err().strip())
          .isEqualTo("shoal: node: no file of tree@1 matches --path 'nope/*'");
      assertThat(none).doesNotExist();
      long beforeSelective = receivedBytes(fetcher);
      assertThat(beforeSelective).as("metadata only").isLessThan(FILE_BYTES / 4);

      Path out = tmp.resolve("out");
      Run got =
          shoal(
              "get",
              "tree",
              "--path",
              "sub/f3.bin",
              "-o",
              out.toString(),
              "--data",
              fetcherDir.toString(),
              "--json");
      assertThat(got.code()).as(got.err()).isZero();
      assertThat(new ObjectMapper().readTree(got.out()).get("files").asInt()).isEqualTo(1);

      long total = (long) FILES * FILE_BYTES;
      assertThat(receivedBytes(fetcher))
          .as("bytes received for one file of %d", FILES)
          .isLessThanOrEqualTo(total * 15 / 100);
      try (Stream<Path> written = Files.walk(out)) {
        assertThat(written.filter(Files::isRegularFile)).containsExactly(out.resolve("sub/f3.bin"));
      }
      assertThat(Files.mismatch(src.resolve("sub/f3.bin"), out.resolve("sub/f3.bin")))
          .isEqualTo(-1);
      assertThat(fetcher.store().catalog().latestComplete("tree"))
          .as("a selection never makes the version complete")
          .isEmpty();
      assertThat(fetcher.store().catalog().latest("tree").orElseThrow().complete()).isFalse();

      Run ls = shoal("ls", "tree", "--data", fetcherDir.toString());
      assertThat(ls.code()).as(ls.err()).isZero();
      assertThat(ls.out())
          .contains("sub/f9.bin", "-rw-")
          .contains("tree@1 (partial here): 10 file(s), 1 directory, 20.0 MiB");
      JsonNode json =
          new ObjectMapper()
              .readTree(shoal("ls", "tree@1", "--json", "--data", fetcherDir.toString()).out());
      assertThat(json.get("entryCount").asInt()).isEqualTo(FILES + 1);
      assertThat(json.get("entries").get(1).get("sizeBytes").asLong()).isEqualTo(FILE_BYTES);

      Run rm = shoal("rm", "tree", "--data", fetcherDir.toString());
      assertThat(rm.code()).as(rm.err()).isZero();
      assertThat(rm.out()).startsWith("removed tree@1 (").contains("'shoal gc' reclaims");
      assertThat(fetcher.store().catalog().versions("tree")).isEmpty();
      Run again = shoal("rm", "tree", "--data", fetcherDir.toString());
      assertThat(again.err().strip())
          .isEqualTo("shoal: node: no snapshot named 'tree' here; 'shoal ls' lists what there is");
    }
  }

  @Test
  void rmLsAndGetPath_offline_workOnTheStore_withOneLineErrors() throws Exception {
    Path src = tmp.resolve("src");
    TestData.file(src.resolve("a.txt"), "abc".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    TestData.randomFile(src.resolve("d/b.bin"), 5, 100_000);
    String data = tmp.resolve("data").toString();
    assertThat(shoal("publish", "n", src.toString(), "--data", data).code()).isZero();
    assertThat(shoal("publish", "n", src.toString(), "--data", data, "--force").code()).isZero();

    Run ls = shoal("ls", "n", "--data", data);
    assertThat(ls.out())
        .contains("-rw-", "d/b.bin", "drwx")
        .endsWith("n@2 (complete): 2 file(s), 1 directory, 97.7 KiB\n");

    Path out = tmp.resolve("out");
    Run got = shoal("get", "n@1", "--path", "d", "-o", out.toString(), "--data", data);
    assertThat(got.code()).as(got.err()).isZero();
    try (Stream<Path> written = Files.walk(out)) {
      assertThat(written.filter(Files::isRegularFile)).containsExactly(out.resolve("d/b.bin"));
    }

    assertThat(shoal("rm", "n@3", "--data", data).err().strip())
        .isEqualTo("shoal: no n@3 here; versions held: 1, 2");
    assertThat(shoal("rm", "nope", "--data", data).err().strip())
        .isEqualTo("shoal: no snapshot named 'nope' here; 'shoal ls' lists what there is");
    assertThat(
            shoal("get", "n", "--path", "zz", "-o", tmp.resolve("z").toString(), "--data", data)
                .err()
                .strip())
        .isEqualTo("shoal: no file of n@2 matches --path 'zz'");
    Run rm = shoal("rm", "n@1", "--data", data, "--json");
    assertThat(rm.code()).as(rm.err()).isZero();
    assertThat(new ObjectMapper().readTree(rm.out()).get("versions").get(0).asLong()).isEqualTo(1);
    try (io.shoal.chunkstore.ChunkStore store =
        io.shoal.chunkstore.ChunkStore.open(Path.of(data))) {
      assertThat(store.catalog().versions("n"))
          .extracting(io.shoal.chunkstore.CatalogEntry::version)
          .containsExactly(2L);
    }
  }
}
