package io.shoal.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipConfig;
import io.shoal.node.NodeConfig;
import io.shoal.node.security.CertificateAuthority;
import io.shoal.node.security.NodeCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API on real secured nodes on loopback: one in-process, one reached as a client. */
class ShoalApiTest {
  @TempDir Path tmp;
  private CertificateAuthority ca;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void ca() throws IOException {
    ca = CertificateAuthority.init(tmp.resolve("ca"), Instant.now());
  }

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private NodeConfig config(String name) throws IOException {
    Path cred = tmp.resolve("cred-" + name);
    ca.issue(cred, Duration.ofDays(1), Instant.now());
    return NodeConfig.loopback(tmp.resolve(name))
        .withGossip(GossipConfig.defaults().scaledDown(10))
        .withCredentials(NodeCredentials.load(cred, Instant.now()))
        .toBuilder()
        .logs(new ChangeLog.Options(64 << 10, Duration.ofMillis(100)))
        .build();
  }

  private Shoal start(NodeConfig config) throws IOException {
    Shoal s = Shoal.start(config);
    open.add(s);
    return s;
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void capturePublish_subscribe_restoreWithProgress_andReplayFromTheOffset() throws Exception {
    NodeConfig a = config("a");
    Shoal writer = start(a);
    // The reader follows the log only, so that the restore is what fetches the snapshot.
    Shoal reader =
        start(config("b").withSeeds(List.of(peerOf(writer))).withFollow(List.of("_log.state")));
    byte[] state = bytes(3 << 20, 1);
    List<SnapshotVersion> seen = new CopyOnWriteArrayList<>();
    reader.subscribe("sta*", seen::add);

    writer.append("state", List.of("r0".getBytes(UTF_8), "r1".getBytes(UTF_8)));
    Published p =
        writer.publish(
            "state",
            target -> {
              Files.createDirectories(target.resolve("sst"));
              Files.write(target.resolve("sst/000001.sst"), state);
              return 2;
            });
    assertThat(p.version()).isEqualTo(1);
    assertThat(p.logOffset()).isEqualTo(2);
    assertThat(a.dataDir().resolve(NodeShoal.SCRATCH)).isEmptyDirectory();
    writer.append("state", List.of("r2".getBytes(UTF_8)));

    await().atMost(Duration.ofSeconds(30)).until(() -> !seen.isEmpty());
    assertThat(seen.get(0).name()).isEqualTo("state");
    assertThat(seen.get(0).version()).isEqualTo(1);

    List<RestoreProgress> progress = new CopyOnWriteArrayList<>();
    Path out = tmp.resolve("restored");
    Restored r = reader.restore("state", out, progress::add);
    assertThat(Files.readAllBytes(out.resolve("sst/000001.sst"))).isEqualTo(state);
    assertThat(r.version()).isEqualTo(1);
    assertThat(r.logOffset()).isEqualTo(2);
    assertThat(r.fetchedBytes()).isGreaterThanOrEqualTo(state.length);
    assertThat(progress.get(0).stage()).isEqualTo("resolving");
    assertThat(progress.get(progress.size() - 1).stage()).isEqualTo("done");

    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> reader.read("state", r.logOffset(), 100, Duration.ofSeconds(1)).end() == 3);
    LogRead tail = reader.read("state", r.logOffset(), 100, Duration.ZERO);
    assertThat(tail.records()).hasSize(1);
    assertThat(tail.records().get(0).offset()).isEqualTo(2);
    assertThat(new String(tail.records().get(0).data(), UTF_8)).isEqualTo("r2");

    assertThatThrownBy(() -> reader.restore("state", out, x -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exists");
    assertThatThrownBy(() -> reader.append("state", List.of(new byte[1])))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is written by node");
  }

  @Test
  void aFileOfASnapshotNotHeldYet_isReadAsAStreamAndAsASeekableChannel() throws Exception {
    NodeConfig a = config("a");
    Shoal writer = start(a);
    Shoal reader = start(config("b").withSeeds(List.of(peerOf(writer))));
    byte[] data = bytes(5 << 20, 2);
    Path dir = Files.createDirectories(tmp.resolve("src/d"));
    Files.write(dir.resolve("big.bin"), data);
    writer.publish("files", tmp.resolve("src"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> reader.versions().stream().anyMatch(v -> v.name().equals("files")));

    try (SeekableByteChannel ch = reader.openChannel("files@1", "d/big.bin")) {
      assertThat(ch.size()).isEqualTo(data.length);
      ByteBuffer b = ByteBuffer.allocate(4096);
      ch.position(4_000_000);
      assertThat(ch.read(b)).isEqualTo(4096);
      assertThat(b.array()).isEqualTo(Arrays.copyOfRange(data, 4_000_000, 4_004_096));
      ch.position(data.length - 10);
      b.clear();
      assertThat(ch.read(b)).isEqualTo(10);
      assertThat(ch.read(b)).isEqualTo(-1);
    }
    try (InputStream in = reader.openStream("files@1", "d/big.bin")) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    assertThatThrownBy(() -> reader.openStream("files@1", "d/none"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("404");
    assertThatThrownBy(() -> reader.read("nothing", 0, 10, Duration.ZERO))
        .isInstanceOf(io.shoal.node.net.NotFoundException.class);
  }

  @Test
  void aClient_foundThroughTheDataDirectory_publishesRestoresAndUsesTheLog() throws Exception {
    NodeConfig a = config("a");
    start(a);
    Shoal client = Shoal.connect(a.dataDir());
    open.add(client);
    byte[] data = bytes(1 << 20, 3);
    Published p = client.publish("blob", new ByteArrayInputStream(data));
    assertThat(p.sizeBytes()).isEqualTo(data.length);
    Restored r = client.restore("blob@1", tmp.resolve("blob.out"), x -> {});
    assertThat(Files.readAllBytes(tmp.resolve("blob.out"))).isEqualTo(data);
    assertThat(r.fetchedBytes()).isZero();

    Appended ap = client.append("events", List.of(new byte[] {1, 2}, new byte[] {3}));
    assertThat(ap).isEqualTo(new Appended(0, 2, 2));
    LogRead read = client.read("events", 1, 10, Duration.ZERO);
    assertThat(read.records()).hasSize(1);
    assertThat(read.records().get(0).data()).isEqualTo(new byte[] {3});
    assertThat(read.next()).isEqualTo(2);

    assertThatThrownBy(() -> client.read("no such/log", 0, 10, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.read("nothing", 0, 10, Duration.ZERO))
        .isInstanceOf(io.shoal.node.net.NotFoundException.class);
    assertThatThrownBy(() -> Shoal.connect(tmp.resolve("nobody")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no node is running");
  }

  private static Endpoint peerOf(Shoal s) {
    return Endpoint.parse(s.peerAddress());
  }
}
