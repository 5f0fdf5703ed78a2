package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Using a snapshot while it arrives, and fetching straight into a target path. */
class StreamingAndDirectTest {
  @TempDir Path tmp;
  private TestSwarm swarm;

  @BeforeEach
  void swarm() {
    swarm = new TestSwarm(tmp);
  }

  @AfterEach
  void stopAll() {
    swarm.close();
  }

  @Test
  @DisplayName(
      "the HTTP gateway serves a range of a snapshot the node is still fetching, near the reader first")
  void gateway_servesARangeWhileTheSnapshotArrives() throws Exception {
    int size = 32 << 20;
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 11, size);
    List<ShoalNode> seeders = swarm.seeders(2, source);
    for (ShoalNode s : seeders) {
      s.setUploadLimit(3L << 20); // about 4 s for the whole: time to observe the order
    }
    ShoalNode fresh = swarm.join("fresh", seeders.get(0));
    TestSwarm.awaitHolders(fresh, 2);

    long from = 28L << 20;
    HttpRequest get =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fresh.httpAddress().getPort() + "/snapshots/data"))
            .header("Range", "bytes=" + from + "-")
            .header("Authorization", "Bearer " + swarm.apiToken("fresh"))
            .build();
    HttpResponse<InputStream> response =
        HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(206);
    assertThat(response.headers().firstValue("Content-Range"))
        .hasValue("bytes " + from + "-" + (size - 1) + "/" + size);
    byte[] body;
    try (InputStream in = response.body()) {
      byte[] first = in.readNBytes(64 << 10);
      long doneWhenFirstBytesArrived = TransferTest.done(fresh);
      assertThat(doneWhenFirstBytesArrived)
          .as("bytes fetched when the reader's first bytes arrived")
          .isLessThan(size / 2);
      assertThat(fresh.store().catalog().latestComplete("data")).isEmpty();
      byte[] rest = in.readAllBytes();
      body = new byte[first.length + rest.length];
      System.arraycopy(first, 0, body, 0, first.length);
      System.arraycopy(rest, 0, body, first.length, rest.length);
    }
    byte[] expected = Arrays.copyOfRange(Files.readAllBytes(source), (int) from, size);
    assertThat(body).isEqualTo(expected);
  }

  @Test
  @DisplayName("fetchTo writes the data straight into the target; the store keeps only the index")
  void fetchTo_writesStraightIntoTheTarget() throws Exception {
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 12, 12 << 20);
    List<ShoalNode> seeders = swarm.seeders(3, source);
    ShoalNode fresh = swarm.join("fresh", seeders.get(0));
    TestSwarm.awaitHolders(fresh, 3);
    Path out = tmp.resolve("out/copy.bin");
    Materializer.Options options = Materializer.Options.defaults();

    ShoalNode.Fetched got =
        fresh.fetchTo(SnapshotRef.parse("data"), Duration.ofSeconds(30), out, options);

    assertThat(Files.mismatch(source, out)).isEqualTo(-1);
    assertThat(got.result().peers()).isGreaterThanOrEqualTo(2);
    assertThat(fresh.store().catalog().entries()).isEmpty();
    assertThat(fresh.store().stats().chunkBytes())
        .as("bytes the store kept")
        .isLessThan(Files.size(source) / 100);
    try (Stream<Path> left = Files.list(out.getParent())) {
      assertThat(left).containsExactly(out);
    }
  }

  @Test
  @DisplayName("fetchTo onto an existing path fails before fetching and leaves it alone")
  void fetchTo_anExistingTarget_isRefused() throws Exception {
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 13, 2 << 20);
    List<ShoalNode> seeders = swarm.seeders(1, source);
    ShoalNode fresh = swarm.join("fresh", seeders.get(0));
    Path out = tmp.resolve("out/copy.bin");
    Files.createDirectories(out.getParent());
    Files.writeString(out, "precious");

    assertThatThrownBy(
            () ->
                fresh.fetchTo(
                    SnapshotRef.parse("data"),
                    Duration.ofSeconds(30),
                    out,
                    Materializer.Options.defaults()))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("--force");
    assertThat(Files.readString(out)).isEqualTo("precious");
    try (Stream<Path> left = Files.list(out.getParent())) {
      assertThat(left).containsExactly(out);
    }
    assertThat(fresh.transfers()).isEmpty();
  }

  @Test
  @DisplayName("a follower fetches each new version of the names it follows, and keeps K")
  void follower_replicatesNewVersions_andKeepsK() throws Exception {
    ShoalNode publisher = swarm.start(swarm.config("pub"));
    ShoalNode follower =
        swarm.start(
            swarm
                .config("follower")
                .withSeeds(List.of(publisher.peerAddress()))
                .withFollow(List.of("ord*"))
                .withKeep(2));
    Path other = TestData.randomFile(tmp.resolve("other.bin"), 20, 100_000);
    publisher.publish(new PublishCall("logs", other.toAbsolutePath().toString(), null, null, null));
    for (int v = 1; v <= 3; v++) {
      Path source = TestData.randomFile(tmp.resolve("orders" + v + ".bin"), 20 + v, 500_000);
      publisher.publish(
          new PublishCall("orders", source.toAbsolutePath().toString(), null, null, 0));
      long version = v;
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  follower
                      .store()
                      .catalog()
                      .latestComplete("orders")
                      .filter(e -> e.version() == version)
                      .isPresent());
    }
    // Retention runs on a worker once the newest version is recorded complete: wait for it.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(follower.store().catalog().entries())
                    .extracting(e -> e.name() + "@" + e.version())
                    .containsExactlyInAnyOrder("orders@2", "orders@3"));
  }
}
