package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkLocation;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrubTest {
  @TempDir Path tmp;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  @Test
  @DisplayName("a byte flipped in one node's pack: its scrub drops the chunk and refetches it")
  void scrub_damagedChunkOnDisk_isDroppedAndFetchedAgain() throws Exception {
    TestSwarm swarm = new TestSwarm(tmp);
    toClose.add(swarm);
    Path source = TestData.randomFile(tmp.resolve("data.bin"), 11, 4 << 20);
    ShoalNode first = swarm.start(swarm.config("s0"));
    ShoalNode second =
        swarm.start(
            swarm.config("s1").withSeeds(List.of(first.peerAddress())).withFollow(List.of("*")));
    first.publish(new PublishCall("data", source.toAbsolutePath().toString(), null, null, null));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> second.store().catalog().latestComplete("data").isPresent());

    List<ChunkId> ids = new ArrayList<>();
    second.store().forEachId(ids::add);
    ChunkId victim =
        ids.stream().max(Comparator.comparingInt(second.store()::length)).orElseThrow();
    ChunkLocation at = second.store().locate(victim).orElseThrow();
    try (FileChannel ch =
        FileChannel.open(at.file(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at.offset() + 7);
      b.put(0, (byte) (b.get(0) ^ 0x40)).clear();
      ch.write(b, at.offset() + 7);
    }
    double before = damaged(second);

    second.scrubber().scrubNow();
    await().atMost(Duration.ofSeconds(60)).until(() -> damaged(second) == before + 1);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                second.store().contains(victim)
                    && second.store().catalog().latestComplete("data").isPresent());
    Path out = tmp.resolve("out.bin");
    second.materialize(new GetCall("data", out.toString(), false, false));
    assertThat(Files.mismatch(source, out)).isEqualTo(-1);
  }

  private static double damaged(ShoalNode n) {
    return scraped(n, "shoal_scrub_damaged_chunks_total");
  }

  private static double scraped(ShoalNode n, String metric) {
    for (String line : n.metrics().scrape().lines().toList()) {
      if (line.startsWith(metric + " ")) {
        return Double.parseDouble(line.substring(metric.length() + 1).trim());
      }
    }
    return 0;
  }
}
