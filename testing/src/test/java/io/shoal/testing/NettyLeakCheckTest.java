package io.shoal.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

class NettyLeakCheckTest {
  @Test
  void collect_afterAnUnreleasedBuffer_reportsTheLeak() {
    NettyLeaks.install();
    leakOne();
    List<String> leaks = NettyLeaks.collect();
    assertThat(leaks).isNotEmpty();
    assertThat(leaks.get(0)).contains("LEAK").contains("ByteBuf");
  }

  @Test
  void collect_whenEverythingIsReleased_reportsNothing() {
    NettyLeaks.install();
    NettyLeaks.collect();
    ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
    b.writeLong(1);
    b.release();
    assertThat(NettyLeaks.collect()).isEmpty();
  }

  private static void leakOne() {
    ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
    b.writeLong(42);
    // dropped without release
  }
}
