package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Version N to N+1 between real nodes on loopback: changed chunks travel as deltas. */
class DeltaTransferTest {
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
      "a follower holding v1 fetches v2 (1% overwritten in 10 unaligned places) as deltas: it"
          + " receives the overwritten bytes and little more, far less than the changed chunks")
  void nextVersion_scatteredOverwrites_travelAsDeltas() throws Exception {
    int size = 32 << 20;
    int region = size / 1000;
    byte[] v1 = TestData.randomBytes(21, size);
    Path file = TestData.file(tmp.resolve("data.bin"), v1);
    ShoalNode publisher = swarm.start(swarm.config("p"));
    publisher.publish(new PublishCall("data", file.toAbsolutePath().toString(), null, null, null));
    ShoalNode follower = swarm.start(swarm.config("f").withSeeds(List.of(publisher.peerAddress())));
    follower.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));

    byte[] v2 = v1.clone();
    for (int k = 0; k < 10; k++) {
      int at = k * (size / 10) + 977 + k * 12_345;
      System.arraycopy(TestData.randomBytes(100 + k, region), 0, v2, at, region);
    }
    TestData.file(file, v2);
    publisher.publish(new PublishCall("data", file.toAbsolutePath().toString(), null, null, null));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> follower.status().winners().stream().anyMatch(w -> w.version() == 2));
    ShoalNode.Fetched got = follower.fetch(SnapshotRef.parse("data@2"), Duration.ofSeconds(30));

    Path out = tmp.resolve("out.bin");
    follower.materialize(new GetCall("data@2", out.toString(), false, false));
    assertThat(Files.mismatch(file, out)).isEqualTo(-1);
    long changedChunks = got.result().fetchedBytes();
    long received = got.result().receivedBytes();
    long overwritten = 10L * region;
    assertThat(changedChunks).as("bytes of the chunks v2 changed").isGreaterThan(2 * overwritten);
    assertThat(received)
        .as(
            "chunk bytes on the wire, for %d changed and %d overwritten",
            changedChunks, overwritten)
        .isLessThan(overwritten + overwritten / 10);
    assertThat(publisher.metrics().chunksDelta.get()).as("chunks served as deltas").isPositive();
  }

  @Test
  @DisplayName(
      "a follower holding v1 fetches a v2 of all new bytes whole: no holder is asked to encode"
          + " deltas that cannot pay")
  void nextVersion_allNewContent_travelsWhole() throws Exception {
    int size = 8 << 20;
    Path file = TestData.file(tmp.resolve("data.bin"), TestData.randomBytes(31, size));
    ShoalNode publisher = swarm.start(swarm.config("p"));
    publisher.publish(new PublishCall("data", file.toAbsolutePath().toString(), null, null, null));
    ShoalNode follower = swarm.start(swarm.config("f").withSeeds(List.of(publisher.peerAddress())));
    follower.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));

    TestData.file(file, TestData.randomBytes(32, size));
    publisher.publish(new PublishCall("data", file.toAbsolutePath().toString(), null, null, null));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> follower.status().winners().stream().anyMatch(w -> w.version() == 2));
    ShoalNode.Fetched got = follower.fetch(SnapshotRef.parse("data@2"), Duration.ofSeconds(30));

    assertThat(got.result().fetchedBytes()).isGreaterThanOrEqualTo(size);
    assertThat(publisher.metrics().deltaRequests.get())
        .as("delta requests the holder received")
        .isZero();
  }
}
