package io.shoal.cli;

import static io.shoal.cli.CliTest.shoal;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkLocation;
import io.shoal.cli.CliTest.Run;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyThroughNodeTest {
  @TempDir Path tmp;

  @Test
  @DisplayName(
      "while a node runs on the store, verify goes through it: 0 on a clean store, 1 naming a"
          + " chunk damaged on disk, which the node drops")
  void verify_withARunningNode_reportsDamageThroughIt() throws Exception {
    Path data = tmp.resolve("data");
    Path src = TestData.randomFile(tmp.resolve("f.bin"), 8, 600_000);
    try (ShoalNode node = ShoalNode.start(NodeConfig.loopback(data))) {
      Run published = shoal("publish", "n", src.toString(), "--data", data.toString());
      assertThat(published.code()).as(published.err()).isZero();

      Run clean = shoal("verify", "--data", data.toString());
      assertThat(clean.code()).as(clean.err()).isZero();
      assertThat(clean.out()).contains("n@1: ", " 0 damaged", "1 snapshot(s) verified, 0 damaged");

      ChunkId victim = damageLargestChunk(node);
      Run damaged = shoal("verify", "--data", data.toString(), "--json");
      assertThat(damaged.code()).as(damaged.err()).isEqualTo(Main.EXIT_FAILURE);
      JsonNode json = new ObjectMapper().readTree(damaged.out());
      assertThat(json.get("damagedChunks").asLong()).isEqualTo(1);
      JsonNode snapshot = json.get("snapshots").get(0);
      assertThat(snapshot.get("name").asText()).isEqualTo("n");
      assertThat(snapshot.get("damaged").get(0).asText()).isEqualTo(victim.toHex());
      assertThat(snapshot.get("bytesChecked").asLong()).isGreaterThan(600_000);
      assertThat(node.store().contains(victim)).as("the damaged chunk is dropped").isFalse();
      assertThat(node.store().catalog().latestComplete("n")).as("recorded partial").isEmpty();
    }
  }

  /** Flips a byte of the largest chunk in its pack, behind the running node's back. */
  private static ChunkId damageLargestChunk(ShoalNode node) throws Exception {
    List<ChunkId> ids = new ArrayList<>();
    node.store().forEachId(ids::add);
    ChunkId victim = ids.stream().max(Comparator.comparingInt(node.store()::length)).orElseThrow();
    ChunkLocation at = node.store().locate(victim).orElseThrow();
    try (FileChannel ch =
        FileChannel.open(at.file(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at.offset() + 7);
      b.put(0, (byte) (b.get(0) ^ 0x40)).clear();
      ch.write(b, at.offset() + 7);
    }
    return victim;
  }
}
