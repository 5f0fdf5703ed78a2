package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.testing.TestData;
import io.shoal.testing.TreeAssert;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run shoal(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private String data() {
    return tmp.resolve("data").toString();
  }

  @Test
  void help_listsTheCommands() {
    Run r = shoal("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("publish", "get", "ls", "gc");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"ls", "verify", "get n -o out", "gc", "rm n", "ls n"})
  void readingCommand_onADirectoryWithoutAStore_failsInOneLineAndCreatesNothing(String command)
      throws Exception {
    Path missing = tmp.resolve("no/such/dir");
    Path empty = java.nio.file.Files.createDirectories(tmp.resolve("empty"));
    for (Path dir : List.of(missing, empty)) {
      List<String> args = new ArrayList<>(List.of(command.split(" ")));
      args.addAll(List.of("--data", dir.toString()));
      Run r = shoal(args.toArray(String[]::new));
      assertThat(r.code()).as(command + " on " + dir).isEqualTo(Main.EXIT_FAILURE);
      assertThat(r.err().strip())
          .as("one line")
          .startsWith("shoal: no shoal store at " + dir)
          .doesNotContain("\n");
    }
    assertThat(tmp.resolve("no")).as("nothing created").doesNotExist();
    try (var left = java.nio.file.Files.list(empty)) {
      assertThat(left).as("nothing created in the empty directory").isEmpty();
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "publish",
        "get",
        "fetch",
        "ls",
        "gc",
        "verify",
        "node",
        "status",
        "token",
        "demo",
        "simulate",
        "cluster",
        "cluster init",
        "cluster issue",
        "cluster revoke"
      })
  void everyCommand_answersHelp(String command) {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.add("--help");
    Run r = shoal(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Usage: shoal " + command);
  }

  @Test
  void publishGetLs_roundTripADirectory() throws Exception {
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("big.bin"), 1, 2_000_000);
    TestData.file(src.resolve("dir/small.txt"), "small".getBytes(StandardCharsets.UTF_8));

    Run published = shoal("publish", "orders", src.toString(), "--data", data());
    assertThat(published.code()).as(published.err()).isZero();
    assertThat(published.out()).contains("published orders@1");

    TestData.file(src.resolve("dir/small.txt"), "changed".getBytes(StandardCharsets.UTF_8));
    assertThat(shoal("publish", "orders", src.toString(), "--data", data()).code()).isZero();

    Path out = tmp.resolve("out");
    Run got = shoal("get", "orders", "-o", out.toString(), "--data", data());
    assertThat(got.code()).as(got.err()).isZero();
    TreeAssert.assertSameTree(src, out);

    Run ls = shoal("ls", "--data", data());
    assertThat(ls.out()).contains("orders", "complete");
    JsonNode listed = new ObjectMapper().readTree(shoal("ls", "--json", "--data", data()).out());
    assertThat(listed).hasSize(2);
    assertThat(listed.get(1).get("version").asLong()).isEqualTo(2);
    // The edit dirties only the last chunk, which holds the tail of big.bin and small.txt.
    assertThat(listed.get(1).get("sharedBytes").asLong()).isBetween(1_700_000L, 1_999_999L);
    assertThat(listed.get(0).get("sharedBytes").asLong()).isEqualTo(-1);
  }

  @Test
  void simulate_printsASummaryAndWritesTheReport() throws Exception {
    Path report = tmp.resolve("report");
    Run r =
        shoal(
            "simulate",
            "churn",
            "--nodes",
            "20",
            "--seed",
            "5",
            "--set",
            "snapshotMib=8",
            "--report",
            report.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("churn: 20 nodes, seed 5: converged", "trace hash");
    assertThat(Files.readString(report.resolve("report.html")))
        .contains("<img", "data:image/png;base64,");
    JsonNode json = new ObjectMapper().readTree(report.resolve("results.json").toFile());
    assertThat(json.get("result").get("converged").asBoolean()).isTrue();
    assertThat(json.get("result").get("timeline").size()).isPositive();
  }

  @Test
  void simulate_thatDoesNotConverge_failsWithTheReplayCommand() {
    Run r =
        shoal(
            "simulate", "swarm-join", "--nodes", "10", "--seed", "9", "--set", "limitSeconds=0.5");
    assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err())
        .contains("did not converge", "(seed 9)")
        .contains(
            "replay with: shoal simulate swarm-join --nodes 10 --seed 9 --set 'limitSeconds=0.5'");
  }

  @Test
  void simulate_withAnUnknownField_failsWithOneLine() {
    Run r = shoal("simulate", "--set", "nodez=5");
    assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err()).startsWith("shoal: swarm-join: unknown field 'nodez'");
    assertThat(r.err()).as("the valid fields listed").contains("; the fields are ", "nodes");
    assertThat(r.err().substring(r.err().indexOf("; the fields are ")))
        .as("only valid ones")
        .doesNotContain("nodez");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void simulate_withAValueOfTheWrongType_namesFieldValueAndType() {
    Run r = shoal("simulate", "--set", "crashes=abc");
    assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err().strip())
        .isEqualTo("shoal: swarm-join: field 'crashes' needs an int, not 'abc'");
  }

  @Test
  void getOfAMissingSnapshot_failsWithOneLine() throws Exception {
    // A store that holds another snapshot: a directory with no store at all is refused before.
    Path src = TestData.file(tmp.resolve("other.txt"), "other".getBytes(StandardCharsets.UTF_8));
    assertThat(shoal("publish", "other", src.toString(), "--data", data()).code()).isZero();
    Run r = shoal("get", "nothing@3", "-o", tmp.resolve("x").toString(), "--data", data());
    assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err()).startsWith("shoal: no snapshot named 'nothing'");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void badArguments_exitWithUsageCode() {
    Run r = shoal("publish", "--data", data());
    assertThat(r.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err()).contains("Missing required parameter");
  }

  @Test
  void storeInUse_isRefusedWithoutTouchingIt() throws Exception {
    Path src = TestData.file(tmp.resolve("f.txt"), "x".getBytes(StandardCharsets.UTF_8));
    try (ChunkStore held = ChunkStore.open(Path.of(data()))) {
      Run r = shoal("publish", "n", src.toString(), "--data", data());
      assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
      assertThat(r.err()).contains("store").contains("already open");
      assertThat(held.catalog().entries()).isEmpty();
    }
  }

  @Test
  void gc_withKeep_dropsOldVersions() throws Exception {
    Path src = tmp.resolve("f.bin");
    for (int v = 1; v <= 3; v++) {
      TestData.randomFile(src, v, 500_000);
      assertThat(shoal("publish", "n", src.toString(), "--data", data(), "--keep", "0").code())
          .isZero();
    }
    Run r = shoal("gc", "--keep", "1", "--data", data(), "--json");
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("versionsDropped").asInt()).isEqualTo(2);
    assertThat(json.get("bytesReclaimed").asLong()).isGreaterThan(900_000);
  }

  @Test
  void publish_unchangedContent_reportsTheNewestVersion_andForceMakesOne() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("f.bin"), 5, 300_000);
    assertThat(shoal("publish", "n", src.toString(), "--data", data()).code()).isZero();

    Run again = shoal("publish", "n", src.toString(), "--data", data(), "--json");
    assertThat(again.code()).as(again.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(again.out());
    assertThat(json.get("unchanged").asBoolean()).isTrue();
    assertThat(json.get("version").asLong()).isEqualTo(1);
    assertThat(shoal("publish", "n", src.toString(), "--data", data()).out())
        .startsWith("unchanged: n@1 (root ")
        .contains("no version made");

    Run forced = shoal("publish", "n", src.toString(), "--data", data(), "--force");
    assertThat(forced.out()).contains("published n@2");
    try (ChunkStore store = ChunkStore.open(Path.of(data()))) {
      assertThat(store.catalog().versions("n")).hasSize(2);
    }
  }

  @Test
  void verify_flippedByteInAPack_namesTheChunkAndExitsNonZero() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("f.bin"), 7, 600_000);
    assertThat(shoal("publish", "n", src.toString(), "--data", data()).code()).isZero();
    Run clean = shoal("verify", "--data", data());
    assertThat(clean.code()).as(clean.err()).isZero();
    assertThat(clean.out()).contains("n@1: ", " 0 damaged", "1 snapshot(s) verified");

    io.shoal.chunkstore.ChunkId victim;
    io.shoal.chunkstore.ChunkLocation at;
    try (ChunkStore store = ChunkStore.open(Path.of(data()))) {
      List<io.shoal.chunkstore.ChunkId> ids = new ArrayList<>();
      store.forEachId(ids::add);
      victim = ids.stream().max(java.util.Comparator.comparingInt(store::length)).orElseThrow();
      at = store.locate(victim).orElseThrow();
    }
    try (var ch =
        java.nio.channels.FileChannel.open(at.file(), java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x5a, 0x5a}), at.offset() + 100);
    }

    Run damaged = shoal("verify", "--data", data(), "--json");
    assertThat(damaged.code()).isEqualTo(Main.EXIT_FAILURE);
    JsonNode json = new ObjectMapper().readTree(damaged.out());
    assertThat(json.get("damagedChunks").asLong()).isEqualTo(1);
    JsonNode snapshot = json.get("snapshots").get(0);
    assertThat(snapshot.get("name").asText()).isEqualTo("n");
    assertThat(snapshot.get("damaged").get(0).asText()).isEqualTo(victim.toHex());
    assertThat(snapshot.get("bytesChecked").asLong()).isGreaterThan(600_000);
    assertThat(shoal("verify", "--data", data()).out()).contains("1 damaged: " + victim.toHex());
  }

  @Test
  void withARunningNode_publishLsStatusAndGetGoThroughIt() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("blob.bin"), 3, 200_000);
    try (io.shoal.node.ShoalNode node =
        io.shoal.node.ShoalNode.start(io.shoal.node.NodeConfig.loopback(Path.of(data())))) {
      Run published = shoal("publish", "blob", src.toString(), "--data", data());
      assertThat(published.code()).as(published.err()).isZero();
      assertThat(published.out()).contains("published blob@1", "through the running node");
      assertThat(node.store().catalog().latest("blob")).isPresent();
      Run unchanged = shoal("publish", "blob", src.toString(), "--data", data());
      assertThat(unchanged.out()).startsWith("unchanged: blob@1 ");
      assertThat(node.store().catalog().versions("blob")).hasSize(1);

      Run ls = shoal("ls", "--data", data());
      assertThat(ls.out()).contains("blob", "complete");

      TestData.randomFile(src, 4, 200_000);
      assertThat(shoal("publish", "blob", src.toString(), "--data", data()).out())
          .contains("published blob@2");
      Run gc = shoal("gc", "--keep", "1", "--data", data(), "--json");
      assertThat(gc.code()).as(gc.err()).isZero();
      assertThat(new ObjectMapper().readTree(gc.out()).get("versionsDropped").asInt()).isEqualTo(1);
      assertThat(node.store().catalog().versions("blob"))
          .extracting(io.shoal.chunkstore.CatalogEntry::version)
          .containsExactly(2L);

      Run status = shoal("status", "--data", data(), "--json");
      assertThat(status.code()).as(status.err()).isZero();
      JsonNode json = new ObjectMapper().readTree(status.out());
      assertThat(json.get("node").get("id").asText()).isEqualTo(node.id().toHex());
      assertThat(json.get("winners").get(0).get("name").asText()).isEqualTo("blob");

      Path out = tmp.resolve("out.bin");
      Run got = shoal("get", "blob", "-o", out.toString(), "--data", data());
      assertThat(got.code()).as(got.err()).isZero();
      assertThat(Files.mismatch(src, out)).isEqualTo(-1);
    }
    Run status = shoal("status", "--data", data());
    assertThat(status.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(status.err()).contains("no node is running");
  }

  @Test
  void statusWait_answersOnceAStartingNodeDoes_andFailsInOneLineWhenNoneComes() throws Exception {
    Path dir = tmp.resolve("starting");
    try (NodeProcess n = NodeProcess.launch(dir)) {
      Run status = shoal("status", "--data", dir.toString(), "--wait", "60", "--json");
      assertThat(status.code()).as(status.err()).isZero();
      assertThat(new ObjectMapper().readTree(status.out()).get("node").get("id").asText())
          .isNotEmpty();
    }
    long start = System.nanoTime();
    Run none = shoal("status", "--data", tmp.resolve("nothing").toString(), "--wait", "1");
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(1_000_000_000L);
    assertThat(none.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(none.err().strip())
        .startsWith("shoal: no node answered for " + tmp.resolve("nothing") + " within 1 s")
        .doesNotContain("\n");
  }

  @Test
  void fetch_joinsFetchesWritesAndLeaves_andWithDataMovesOnlyTheDelta() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("blob.bin"), 4, 3_000_000);
    Path ca = tmp.resolve("ca");
    assertThat(shoal("cluster", "init", ca.toString()).code()).isZero();
    Path seedCred = tmp.resolve("seed-cred");
    Path fetchCred = tmp.resolve("fetch-cred");
    assertThat(shoal("cluster", "issue", ca.toString(), "--out", seedCred.toString()).code())
        .isZero();
    assertThat(shoal("cluster", "issue", ca.toString(), "--out", fetchCred.toString()).code())
        .isZero();
    try (io.shoal.node.ShoalNode seed =
        io.shoal.node.ShoalNode.start(
            io.shoal.node.NodeConfig.loopback(Path.of(data()))
                .withCredentials(
                    io.shoal.node.security.NodeCredentials.load(
                        seedCred, java.time.Instant.now())))) {
      String join = "127.0.0.1:" + seed.peerAddress().port();
      String cred = fetchCred.toString();
      assertThat(shoal("publish", "blob", src.toString(), "--data", data()).code()).isZero();

      Path out = tmp.resolve("out.bin");
      Run fetched =
          shoal(
              "fetch",
              "blob",
              "-o",
              out.toString(),
              "--join",
              join,
              "--credentials",
              cred,
              "--no-sync");
      assertThat(fetched.code()).as(fetched.err()).isZero();
      assertThat(fetched.out()).contains("fetched blob@1", "from 1 peer(s)");
      assertThat(Files.mismatch(src, out)).isEqualTo(-1);

      Run again =
          shoal("fetch", "blob", "-o", out.toString(), "--join", join, "--credentials", cred);
      assertThat(again.code()).isEqualTo(Main.EXIT_FAILURE);
      assertThat(again.err()).contains("use --force");

      Path keep = tmp.resolve("kept");
      Path first = tmp.resolve("first.bin");
      assertThat(
              shoal(
                      "fetch",
                      "blob",
                      "-o",
                      first.toString(),
                      "--join",
                      join,
                      "--credentials",
                      cred,
                      "--data",
                      keep.toString())
                  .code())
          .isZero();
      byte[] edited = Files.readAllBytes(src);
      edited[1_500_000] ^= 1;
      Files.write(src, edited);
      assertThat(shoal("publish", "blob", src.toString(), "--data", data()).code()).isZero();
      Path second = tmp.resolve("second.bin");
      Run delta =
          shoal(
              "fetch",
              "blob",
              "-o",
              second.toString(),
              "--join",
              join,
              "--credentials",
              cred,
              "--data",
              keep.toString(),
              "--json");
      assertThat(delta.code()).as(delta.err()).isZero();
      JsonNode report = new ObjectMapper().readTree(delta.out());
      assertThat(report.get("version").asLong()).isEqualTo(2);
      assertThat(report.get("fetchedBytes").asLong())
          .as("bytes moved for a one-byte edit")
          .isPositive()
          .isLessThan(1_000_000);
      assertThat(Files.mismatch(src, second)).isEqualTo(-1);
    }
  }

  @Test
  void getToStdout_streamsASingleFile() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("blob.bin"), 9, 3_000_000);
    assertThat(shoal("publish", "blob", src.toString(), "--data", data()).code()).isZero();
    Path captured = tmp.resolve("captured.bin");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "get",
                "blob",
                "-o",
                "-",
                "--data",
                data())
            .redirectOutput(captured.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(Files.mismatch(src, captured)).isEqualTo(-1);
  }

  @Test
  void clusterInit_writesTheKeyOwnerOnly_andRefusesToOverwrite() throws Exception {
    Path ca = tmp.resolve("ca");
    Run r = shoal("cluster", "init", ca.toString(), "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode created = new ObjectMapper().readTree(r.out());
    assertThat(created.get("clusterId").asText()).matches("[0-9a-f]{32}");
    assertThat(java.nio.file.Files.getPosixFilePermissions(ca.resolve("ca.key")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    byte[] key = Files.readAllBytes(ca.resolve("ca.key"));

    Run again = shoal("cluster", "init", ca.toString());
    assertThat(again.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(again.err()).startsWith("shoal: ").contains("already holds a CA");
    assertThat(again.err().lines()).hasSize(1);
    assertThat(Files.readAllBytes(ca.resolve("ca.key"))).isEqualTo(key);
  }

  @Test
  void clusterIssue_withoutACa_failsWithOneLine() {
    Run r = shoal("cluster", "issue", tmp.toString(), "--out", tmp.resolve("n").toString());
    assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err()).contains("has no ca.key");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void clusterIssueRenewAndRevoke_keepTheIdAndListIt() throws Exception {
    Path ca = tmp.resolve("ca");
    assertThat(shoal("cluster", "init", ca.toString()).code()).isZero();
    Path node = tmp.resolve("n1");
    Run issued = shoal("cluster", "issue", ca.toString(), "--out", node.toString(), "--json");
    assertThat(issued.code()).as(issued.err()).isZero();
    String id = new ObjectMapper().readTree(issued.out()).get("nodeId").asText();
    Run renewed =
        shoal("cluster", "issue", ca.toString(), "--out", node.toString(), "--days", "30");
    assertThat(renewed.out()).startsWith("renewed the credential of node " + id);
    Run revoked = shoal("cluster", "revoke", ca.toString(), id);
    assertThat(revoked.code()).as(revoked.err()).isZero();
    assertThat(Files.readString(ca.resolve("revoked.txt"))).contains(id);
  }

  @Test
  void node_onANonLoopbackAddressWithoutCredentials_exitsWithOneLine() {
    Run r = shoal("node", "--data", data(), "--listen", "0.0.0.0:0", "--http", "127.0.0.1:0");
    assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err())
        .startsWith("shoal: refusing to listen on 0.0.0.0 without credentials")
        .contains("--credentials", "--insecure");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void node_withAnExpiredCredential_exitsWithOneLine() throws Exception {
    Path ca = tmp.resolve("ca");
    io.shoal.node.security.CertificateAuthority.init(ca, java.time.Instant.now())
        .issue(
            tmp.resolve("old"),
            java.time.Duration.ofDays(1),
            java.time.Instant.now().minus(java.time.Duration.ofDays(3)));
    Run r =
        shoal(
            "node",
            "--data",
            data(),
            "--credentials",
            tmp.resolve("old").toString(),
            "--listen",
            "127.0.0.1:0");
    assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err()).contains("expired on", "shoal cluster issue");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void node_withIssuedCredentials_startsSecuredUnderTheCertificatesId() throws Exception {
    Path ca = tmp.resolve("ca");
    Path node = tmp.resolve("cred");
    assertThat(shoal("cluster", "init", ca.toString()).code()).isZero();
    Run issued = shoal("cluster", "issue", ca.toString(), "--out", node.toString(), "--json");
    String id = new ObjectMapper().readTree(issued.out()).get("nodeId").asText();
    Process p =
        startShoal(
            "node",
            "--data",
            data(),
            "--credentials",
            node.toString(),
            "--listen",
            "0.0.0.0:0",
            "--http",
            "127.0.0.1:0");
    try {
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                Run status = shoal("status", "--data", data(), "--json");
                assertThat(status.code()).as(status.err()).isZero();
                JsonNode self = new ObjectMapper().readTree(status.out()).get("node");
                assertThat(self.get("id").asText()).isEqualTo(id);
                assertThat(self.get("secure").asBoolean()).isTrue();
              });
      assertThat(Files.readString(Path.of(data(), "node-id")).trim()).isEqualTo(id);
    } finally {
      stop(p);
    }
  }

  @Test
  void node_insecureOnANonLoopbackAddress_startsAndWarns() throws Exception {
    Path log = tmp.resolve("node.log");
    Process p =
        new ProcessBuilder(
                javaCommand(
                    "node",
                    "--data",
                    data(),
                    "--insecure",
                    "--listen",
                    "0.0.0.0:0",
                    "--http",
                    "127.0.0.1:0"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(60))
          .untilAsserted(
              () -> assertThat(Files.readString(log)).contains("WARN", "running INSECURE"));
    } finally {
      stop(p);
    }
  }

  private static List<String> javaCommand(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static Process startShoal(String... args) throws java.io.IOException {
    return new ProcessBuilder(javaCommand(args))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy(); // SIGTERM: the node leaves and exits
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
