package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChunkDeltaTest {
  static byte[] random(long seed, int n) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  static byte[] rebuild(byte[] bases, byte[] delta, int rawLength) throws MalformedDeltaException {
    return ChunkDelta.apply(bases, ByteBuffer.wrap(delta), rawLength);
  }

  /** Ops written by hand, as a hostile sender would. */
  static final class Ops {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Ops varint(long v) {
      while (v >= 0x80) {
        out.write((int) (v | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
      return this;
    }

    Ops literal(byte[] bytes) {
      varint((long) bytes.length << 1);
      out.write(bytes, 0, bytes.length);
      return this;
    }

    Ops copy(long from, long length) {
      return varint((length << 1) | 1).varint(from);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  @Test
  void encode_scatteredOverwrites_costTheirBytesAndRebuildExactly() throws Exception {
    byte[] base = random(1, 200_000);
    byte[] chunk = base.clone();
    int changed = 0;
    for (int at : new int[] {1_001, 50_003, 120_007, 199_000}) {
      byte[] noise = random(at, 700);
      System.arraycopy(noise, 0, chunk, at, Math.min(700, chunk.length - at));
      changed += Math.min(700, chunk.length - at);
    }

    byte[] delta = ChunkDelta.encode(base, chunk);

    assertThat(delta).isNotNull();
    assertThat(delta.length).as("delta bytes for %d changed", changed).isLessThan(changed + 100);
    assertThat(rebuild(base, delta, chunk.length)).isEqualTo(chunk);
  }

  @Test
  void encode_chunkSpanningTwoBasesWithAnInsertion_copiesFromBoth() throws Exception {
    byte[] first = random(2, 70_000);
    byte[] second = random(3, 50_000);
    byte[] bases = new byte[first.length + second.length];
    System.arraycopy(first, 0, bases, 0, first.length);
    System.arraycopy(second, 0, bases, first.length, second.length);
    ByteArrayOutputStream c = new ByteArrayOutputStream();
    c.write(first, 30_000, 40_000);
    c.write(random(4, 4096), 0, 4096);
    c.write(second, 0, 30_000);
    byte[] chunk = c.toByteArray();

    byte[] delta = ChunkDelta.encode(bases, chunk);

    assertThat(delta.length).isLessThan(4096 + 64);
    assertThat(rebuild(bases, delta, chunk.length)).isEqualTo(chunk);
  }

  @Test
  void encode_nothingShared_sendsTheChunkWhole() {
    assertThat(ChunkDelta.encode(random(5, 100_000), random(6, 100_000))).isNull();
    assertThat(ChunkDelta.encode(new byte[8], random(6, 100))).as("bases under a block").isNull();
  }

  @Test
  void apply_truncatedInsideALiteral_isMalformed() {
    byte[] delta = new Ops().literal(random(7, 100)).bytes();
    byte[] cut = Arrays.copyOf(delta, delta.length - 1);
    assertThatThrownBy(() -> rebuild(new byte[0], cut, 100))
        .isInstanceOf(MalformedDeltaException.class)
        .hasMessageContaining("literal of 100 bytes where the delta has 99 left");
  }

  @Test
  void apply_truncatedInsideAVarint_isMalformed() {
    byte[] delta = new Ops().copy(300, 1000).bytes();
    byte[] cut = Arrays.copyOf(delta, delta.length - 1);
    assertThatThrownBy(() -> rebuild(new byte[4096], cut, 1000))
        .isInstanceOf(MalformedDeltaException.class)
        .hasMessageContaining("ends inside a varint");
  }

  @Test
  void apply_copyPastTheBases_isMalformed() {
    byte[] delta = new Ops().copy(4000, 200).bytes();
    assertThatThrownBy(() -> rebuild(new byte[4096], delta, 200))
        .isInstanceOf(MalformedDeltaException.class)
        .hasMessageContaining("copy of 200 bytes from 4000 passes the bases' 4096");
  }

  @Test
  void apply_copyFromAHugeOffset_isMalformedNotOverflowed() {
    byte[] delta = new Ops().copy((1L << 35) - 1, 10).bytes();
    assertThatThrownBy(() -> rebuild(new byte[4096], delta, 10))
        .isInstanceOf(MalformedDeltaException.class)
        .hasMessageContaining("passes the bases");
  }

  @Test
  void apply_rebuildsFewerBytesThanDeclared_isMalformed() {
    byte[] delta = new Ops().copy(0, 100).bytes();
    assertThatThrownBy(() -> rebuild(new byte[4096], delta, 101))
        .isInstanceOf(MalformedDeltaException.class)
        .hasMessageContaining("rebuilds 100 bytes where the frame says 101");
  }

  @Test
  void apply_opPastTheDeclaredLength_isMalformedBeforeCopying() {
    byte[] delta = new Ops().copy(0, 100).literal(new byte[5]).bytes();
    assertThatThrownBy(() -> rebuild(new byte[4096], delta, 102))
        .isInstanceOf(MalformedDeltaException.class)
        .hasMessageContaining("op 1 of 5 bytes at 100 passes the chunk's 102 bytes");
  }

  @Test
  void apply_emptyOp_isMalformed() {
    byte[] delta = new Ops().varint(0).bytes();
    assertThatThrownBy(() -> rebuild(new byte[4096], delta, 10))
        .isInstanceOf(MalformedDeltaException.class)
        .hasMessageContaining("op 0 of 0 bytes");
  }

  @Test
  void apply_moreOpsThanTheBound_isMalformed() {
    Ops ops = new Ops();
    for (int i = 0; i <= ChunkDelta.MAX_OPS; i++) {
      ops.copy(0, 1);
    }
    assertThatThrownBy(() -> rebuild(new byte[64], ops.bytes(), ChunkDelta.MAX_OPS + 1))
        .isInstanceOf(MalformedDeltaException.class)
        .hasMessageContaining("more than " + ChunkDelta.MAX_OPS + " ops");
  }

  @Test
  void apply_varintOfTooManyBytes_isMalformed() {
    byte[] delta = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1};
    assertThatThrownBy(() -> rebuild(new byte[64], delta, 10))
        .isInstanceOf(MalformedDeltaException.class)
        .hasMessageContaining("varint of more than 5 bytes");
  }

  @Test
  void apply_declaredLengthPastTheFrameBound_isMalformedBeforeAllocating() {
    assertThatThrownBy(() -> rebuild(new byte[64], new byte[0], ChunkFrame.MAX_RAW_BYTES + 1))
        .isInstanceOf(MalformedDeltaException.class);
  }
}
