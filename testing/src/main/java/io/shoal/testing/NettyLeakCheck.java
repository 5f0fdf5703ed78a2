package io.shoal.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reports a leaked buffer while it ran. Registered for every test
 * class through JUnit's extension auto-detection (see the parent pom's surefire configuration), and
 * active only where Netty is on the test classpath; the suite runs with {@code
 * -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked.
 *
 * <p>After the class, it collects garbage until a sentinel is cleared, then allocates through the
 * tracked allocator, which is when Netty reports what the collector found unreleased.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterAllCallback {
  private static final boolean NETTY_PRESENT = isPresent("io.netty.util.ResourceLeakDetector");

  @Override
  public void beforeAll(ExtensionContext context) {
    if (NETTY_PRESENT) {
      NettyLeaks.install();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (!NETTY_PRESENT) {
      return;
    }
    List<String> leaks = NettyLeaks.collect();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          "Netty reported "
              + leaks.size()
              + " leaked resource(s) during "
              + context.getDisplayName()
              + ":\n"
              + String.join("\n\n", leaks));
    }
  }

  private static boolean isPresent(String className) {
    try {
      Class.forName(className, false, NettyLeakCheck.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
