package io.shoal.bench;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FastCdc;
import io.shoal.chunkstore.HashAlgorithm;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One thread chunking and hashing 64 MiB of random bytes, the kernel of every publish. One
 * operation is the whole input, so bytes per second = ops per second x 64 MiB (bench/jmh.sh
 * prints that).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ChunkingBenchmark {
  static final int INPUT_BYTES = 64 << 20;

  @Param({"direct", "heap"})
  String buffer;

  private ByteBuffer input;
  private final FastCdc cdc = FastCdc.defaults();

  @Setup
  public void setUp() {
    byte[] bytes = new byte[INPUT_BYTES];
    new SplittableRandom(42).nextBytes(bytes);
    input = buffer.equals("direct") ? ByteBuffer.allocateDirect(INPUT_BYTES).put(bytes).flip() : ByteBuffer.wrap(bytes);
  }

  /** FastCDC boundaries plus an xxh128 id per chunk: the per-byte cost of a publish. */
  @Benchmark
  public void chunkAndXxh128(Blackhole bh) {
    ByteBuffer in = input;
    for (int at = 0; at < INPUT_BYTES; ) {
      int n = cdc.nextChunkLength(in, at, INPUT_BYTES - at);
      ChunkId id = HashAlgorithm.XXH128.hash(in.duplicate().position(at).limit(at + n));
      bh.consume(id);
      at += n;
    }
  }

  /** FastCDC boundaries alone. */
  @Benchmark
  public int chunkOnly() {
    int chunks = 0;
    for (int at = 0; at < INPUT_BYTES; chunks++) {
      at += cdc.nextChunkLength(input, at, INPUT_BYTES - at);
    }
    return chunks;
  }

  /** xxh128 over the whole input in 64 KiB pieces. */
  @Benchmark
  public void xxh128Only(Blackhole bh) {
    for (int at = 0; at < INPUT_BYTES; at += 65536) {
      bh.consume(HashAlgorithm.XXH128.hash(input.duplicate().position(at).limit(at + 65536)));
    }
  }

  /** sha256 over the whole input in 64 KiB pieces, for swarms that need it. */
  @Benchmark
  public void sha256Only(Blackhole bh) {
    for (int at = 0; at < INPUT_BYTES; at += 65536) {
      bh.consume(HashAlgorithm.SHA256.hash(input.duplicate().position(at).limit(at + 65536)));
    }
  }
}
