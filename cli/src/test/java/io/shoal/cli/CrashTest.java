package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.StoreStats;
import io.shoal.chunkstore.VerifiedChunk;
import io.shoal.chunkstore.snapshot.ChunkSizing;
import io.shoal.node.core.TransferConfig;
import io.shoal.node.core.UploadCore;
import io.shoal.node.net.ChunkFrame;
import io.shoal.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code shoal node} processes killed with SIGKILL: the fetcher at random moments, a seeder
 * mid-serve. Each test prints what it did (seed, moments) so that a failure reproduces: rerun with
 * {@code -Dshoal.crash.seed=SEED}.
 */
class CrashTest {
  static final int KILLS = 20;
  static final long SNAPSHOT_BYTES = 64L << 20;

  /**
   * The seeder's upload limit in the kill test (MB/s, {@code --upload-limit}): it bounds the
   * fetcher's request window, hence what a kill can find in flight.
   */
  static final int SEEDER_UPLOAD_MEGABYTES_PER_SECOND = 32;

  /** The seeder's token bucket holds this much at least (UploadCore's burst). */
  static final long UPLOAD_BURST_BYTES = 4L << 20;

  /** The fetcher measures a peer's rate over samples this long (RateEstimator.SAMPLE_NANOS). */
  static final double RATE_SAMPLE_SECONDS = 0.1;

  /**
   * What one SIGKILL of the fetcher may legitimately cost: the chunks the seeder sent that the
   * fetcher had not yet appended to its store (in socket buffers, or read but not yet verified and
   * written). A chunk appended but not yet fsynced by the group commit is NOT among them: a SIGKILL
   * leaves the page cache to the kernel, and recovery at restart verifies and keeps every record of
   * the unsealed pack (the kill log shows the store holding what the packs held). So the bound is
   * what can be in flight: the fetcher's requested but unanswered bytes to its one seeder, its
   * request window, which is {@code targetQueueNanos} (200 ms) of the rate it measures in one
   * sample. Within a sample the seeder sends at most its limit's share, plus its token bucket's
   * burst, plus the chunks it may be writing at once past its tokens ({@code MAX_SERVING_PER_PEER}
   * chunks of at most the maximum of the chunker chosen for the snapshot's size, 256 KiB for 64
   * MiB): about 32 MB here. The runs this was written on lost 0 to 6 MB per kill without the upload
   * limit.
   */
  static final long IN_FLIGHT_PER_KILL_BYTES =
      (long)
          (TransferConfig.defaults().targetQueueNanos()
              / 1e9
              * (SEEDER_UPLOAD_MEGABYTES_PER_SECOND * 1e6
                  + (UPLOAD_BURST_BYTES
                          + (long) UploadCore.MAX_SERVING_PER_PEER
                              * ChunkSizing.bySize().chunkerFor(SNAPSHOT_BYTES, 0).maxBytes())
                      / RATE_SAMPLE_SECONDS));

  /** Most time one stage (a start, reaching a kill moment, the final fetch) may take. */
  static final Duration STAGE_TIMEOUT = Duration.ofMinutes(2);

  @TempDir Path tmp;
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (NodeProcess n : nodes) {
      n.process.destroyForcibly();
    }
    for (NodeProcess n : nodes) {
      n.process.waitFor();
    }
  }

  private NodeProcess start(Path data, String... args) throws Exception {
    NodeProcess n = NodeProcess.launch(data, args);
    nodes.add(n);
    return n.awaitUp();
  }

  private static long seed() {
    String given = System.getProperty("shoal.crash.seed");
    return given != null ? Long.parseLong(given) : new Random().nextLong();
  }

  @Test
  @DisplayName(
      "a fetching node SIGKILLed at 20 random moments resumes each time, ends byte-identical and"
          + " fetches no verified chunk twice")
  void fetcherKilledAtRandomMoments_resumesAndFetchesNothingTwice() throws Exception {
    long seed = seed();
    Random random = new Random(seed);
    long[] moments = random.longs(KILLS, 1, SNAPSHOT_BYTES).sorted().toArray();
    System.out.printf(
        "crash seed %d (rerun with -Dshoal.crash.seed=%d); kill when the fetcher's packs hold"
            + " (bytes): %s; allowance per kill %,d bytes%n",
        seed, seed, java.util.Arrays.toString(moments), IN_FLIGHT_PER_KILL_BYTES);
    Path source = TestData.randomFile(tmp.resolve("big.bin"), seed, SNAPSHOT_BYTES);
    NodeProcess seeder =
        start(
            tmp.resolve("seed"),
            "--no-compression",
            "--upload-limit",
            SEEDER_UPLOAD_MEGABYTES_PER_SECOND + "MB/s");
    CliTest.Run published =
        CliTest.shoal("publish", "big", source.toString(), "--data", seeder.data.toString());
    assertThat(published.code()).as(published.err()).isZero();
    Path fetcherData = tmp.resolve("fetcher");
    String[] fetcherArgs = {"--join", seeder.peer(), "--follow", "*"};

    long heldBytes = 0;
    Sent before = Sent.of(seeder);
    for (int i = 0; i < KILLS; i++) {
      int kill = i + 1;
      NodeProcess fetcher = NodeProcess.launch(fetcherData, fetcherArgs);
      nodes.add(fetcher);
      long moment = moments[i];
      AtomicLong seen = new AtomicLong();
      await()
          .atMost(STAGE_TIMEOUT)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1))
          .until(
              () -> {
                seen.set(NodeProcess.packBytes(fetcherData));
                assertThat(fetcher.process.isAlive())
                    .as("fetcher runs until kill %d; log:%n%s", kill, fetcher.tail())
                    .isTrue();
                return seen.get() >= moment;
              });
      fetcher.kill();
      StoreStats held = statsAfterRecovery(fetcherData);
      Sent after = Sent.of(seeder);
      long waste = after.minus(before).payloadBytes() - (held.chunkBytes() - heldBytes);
      System.out.printf(
          "kill %2d at %,d pack bytes (moment %,d): the store holds %,d bytes; the seeder sent"
              + " %,d payload bytes since the last restart, %,d more than the store gained%n",
          kill, seen.get(), moment, held.chunkBytes(), after.minus(before).payloadBytes(), waste);
      assertThat(waste)
          .as("bytes lost or fetched twice at kill %d (seed %d)", kill, seed)
          .isLessThanOrEqualTo(IN_FLIGHT_PER_KILL_BYTES);
      heldBytes = held.chunkBytes();
      before = after;
    }

    NodeProcess fetcher = start(fetcherData, fetcherArgs);
    await()
        .atMost(STAGE_TIMEOUT)
        .untilAsserted(() -> assertThat(Files.readString(fetcher.log)).contains("fetched big@1"));
    Path out = tmp.resolve("out.bin");
    CliTest.Run got =
        CliTest.shoal("get", "big", "-o", out.toString(), "--data", fetcherData.toString());
    assertThat(got.code()).as(got.err()).isZero();
    assertThat(Files.mismatch(source, out)).as("byte-identical (seed %d)", seed).isEqualTo(-1);
    fetcher.stop();
    Sent last = Sent.of(seeder).minus(before);
    StoreStats complete = verifyEveryChunk(fetcherData);
    long finalWaste = last.payloadBytes() - (complete.chunkBytes() - heldBytes);
    System.out.printf(
        "after the last restart the seeder sent %,d payload bytes for %,d the store lacked%n",
        last.payloadBytes(), complete.chunkBytes() - heldBytes);
    assertThat(finalWaste)
        .as("bytes fetched twice after the last restart (seed %d)", seed)
        .isLessThanOrEqualTo(0);
  }

  @Test
  @DisplayName(
      "a seeder SIGKILLed while it serves two fetchers: both finish from the other two seeders,"
          + " byte-identical")
  void seederKilledMidServe_fetchersFinishFromTheOthers() throws Exception {
    long seed = seed();
    System.out.printf("crash seed %d (rerun with -Dshoal.crash.seed=%d)%n", seed, seed);
    long size = 32L << 20;
    Path source = TestData.randomFile(tmp.resolve("big.bin"), seed, size);
    // Three seeders of one snapshot: published offline once, the store copied twice.
    CliTest.Run published =
        CliTest.shoal("publish", "big", source.toString(), "--data", tmp.resolve("s0").toString());
    assertThat(published.code()).as(published.err()).isZero();
    for (int i = 1; i < 3; i++) {
      copyStore(tmp.resolve("s0"), tmp.resolve("s" + i));
    }
    // Limited uploads stretch the fetch over seconds, so the kill lands mid-serve.
    String[] seederArgs = {"--no-compression", "--upload-limit", "1"};
    NodeProcess first = start(tmp.resolve("s0"), seederArgs);
    List<NodeProcess> seeders = new ArrayList<>(List.of(first));
    for (int i = 1; i < 3; i++) {
      NodeProcess s =
          NodeProcess.launch(tmp.resolve("s" + i), concat(seederArgs, "--join", first.peer()));
      nodes.add(s);
      seeders.add(s);
    }
    seeders.forEach(NodeProcess::awaitUp);
    NodeProcess victim = seeders.get(1 + new Random(seed).nextInt(2));
    double servedBefore = victim.metric("shoal_transfer_chunks_served_total");
    List<NodeProcess> fetchers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      NodeProcess f = NodeProcess.launch(tmp.resolve("f" + i), "--join", first.peer());
      nodes.add(f);
      fetchers.add(f);
    }
    List<Process> gets = new ArrayList<>();
    for (NodeProcess f : fetchers) {
      f.awaitUp();
      awaitCompleteHolders(f, 3);
    }
    for (NodeProcess f : fetchers) {
      gets.add(getProcess(f.data, tmp.resolve(f.data.getFileName() + ".out")));
    }
    await()
        .atMost(STAGE_TIMEOUT)
        .pollInterval(Duration.ofMillis(5))
        .until(
            () ->
                victim.metric("shoal_transfer_chunks_served_total") - servedBefore
                        >= MID_SERVE_CHUNKS
                    && Math.max(received(fetchers.get(0)), received(fetchers.get(1)))
                        >= MID_SERVE_RECEIVED_BYTES);
    victim.kill();
    double[] received = {received(fetchers.get(0)), received(fetchers.get(1))};
    System.out.printf(
        "killed seeder %s after it served %d chunks to the fetchers; they had received %,.0f and"
            + " %,.0f bytes%n",
        victim.data.getFileName(), MID_SERVE_CHUNKS, received[0], received[1]);
    assertThat(received[0]).as("the kill came before fetcher 0 was done").isLessThan((double) size);
    assertThat(received[1]).as("the kill came before fetcher 1 was done").isLessThan((double) size);

    for (int i = 0; i < 2; i++) {
      Process get = gets.get(i);
      assertThat(get.waitFor(STAGE_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
          .as("get %d ends", i)
          .isTrue();
      Path out = tmp.resolve(fetchers.get(i).data.getFileName() + ".out");
      assertThat(get.exitValue())
          .as("get %d: %s", i, Files.readString(Path.of(out + ".err")))
          .isZero();
      assertThat(Files.mismatch(source, out)).as("byte-identical (seed %d)", seed).isEqualTo(-1);
    }
  }

  /** Copies a stopped node's store (not its identity) to a new data directory. */
  private static void copyStore(Path from, Path to) throws IOException {
    copyTree(from.resolve("packs"), to.resolve("packs"));
    for (String file : List.of("SHOAL-STORE", "catalog")) {
      Files.copy(from.resolve(file), to.resolve(file));
    }
  }

  /** {@code shoal get big -o OUT} in a process of its own, through the node on {@code data}. */
  private static Process getProcess(Path data, Path out) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(NodeProcess.JVM_OPTIONS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of("get", "big", "-o", out.toString(), "--data", data.toString()));
    return new ProcessBuilder(cmd)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(Path.of(out + ".err").toFile())
        .start();
  }

  /** Waits until the node on {@code n} knows {@code count} complete holders of big. */
  private static void awaitCompleteHolders(NodeProcess n, int count) {
    await()
        .atMost(STAGE_TIMEOUT)
        .untilAsserted(
            () -> {
              CliTest.Run status = CliTest.shoal("status", "--data", n.data.toString(), "--json");
              assertThat(status.code()).as(status.err()).isZero();
              com.fasterxml.jackson.databind.JsonNode winners =
                  new com.fasterxml.jackson.databind.ObjectMapper()
                      .readTree(status.out())
                      .get("winners");
              assertThat(winners).as(status.out()).isNotEmpty();
              assertThat(winners.get(0).get("completeHolders").size())
                  .as(status.out())
                  .isGreaterThanOrEqualTo(count);
            });
  }

  /** Chunks the victim has served to the fetchers when it is killed: it is mid-serve. */
  static final int MID_SERVE_CHUNKS = 16;

  /**
   * What one fetcher has at least received when the victim is killed: it is mid-fetch (waiting for
   * both would let the first finish while the second JVM still starts). Received, not held: a
   * restore writes the data to its files and its store keeps it only once they are in place.
   */
  static final long MID_SERVE_RECEIVED_BYTES = 1L << 20;

  /** Chunk bytes {@code fetcher} has received from peers. */
  private static double received(NodeProcess fetcher) throws Exception {
    return fetcher.metric("shoal_transfer_received_bytes_total");
  }

  private static String[] concat(String[] a, String... b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }

  /** The seeder's chunk counters. */
  record Sent(long wireBytes, long chunks) {
    static Sent of(NodeProcess seeder) throws Exception {
      return new Sent(
          (long) seeder.metric("shoal_transfer_sent_bytes_total"),
          (long) seeder.metric("shoal_transfer_chunks_served_total"));
    }

    Sent minus(Sent earlier) {
      return new Sent(wireBytes - earlier.wireBytes, chunks - earlier.chunks);
    }

    /** The chunks' own bytes: the wire bytes less each frame's header. */
    long payloadBytes() {
      return wireBytes - chunks * ChunkFrame.headerBytes();
    }
  }

  /**
   * What the store of a killed node holds once recovered, read from a copy so that the node's own
   * recovery at its restart is still the one that counts.
   */
  private StoreStats statsAfterRecovery(Path data) throws IOException {
    Path copy = tmp.resolve("recovered");
    copyTree(data, copy);
    try (ChunkStore store = ChunkStore.open(copy)) {
      return store.stats();
    } finally {
      deleteTree(copy);
    }
  }

  /** Reads every chunk of a stopped node's store and checks it against its id. */
  private static StoreStats verifyEveryChunk(Path data) throws IOException {
    try (ChunkStore store = ChunkStore.open(data)) {
      List<io.shoal.chunkstore.ChunkId> ids = new ArrayList<>();
      store.forEachId(ids::add);
      for (io.shoal.chunkstore.ChunkId id : ids) {
        ByteBuffer bytes = store.read(id);
        assertThat(VerifiedChunk.verify(id, bytes)).as("chunk %s verifies", id).isPresent();
      }
      return store.stats();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
