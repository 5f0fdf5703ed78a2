package io.shoal.testing;

import java.lang.management.ManagementFactory;

/**
 * The heap one decode of untrusted bytes may allocate: {@link #FIXED_BYTES} plus {@link
 * #PER_INPUT_BYTE} per input byte, measured as the current thread's allocated bytes (HotSpot's
 * {@code com.sun.management.ThreadMXBean}). A decoder that trusts a length field and allocates for
 * it before checking it against the input breaks the bound long before it runs out of memory.
 */
public final class AllocationBound {
  /** Bytes any decode may allocate whatever its input (buffers, the refusal's stack trace). */
  public static final long FIXED_BYTES = 4L << 20;

  /** Further bytes a decode may allocate per input byte (decoded objects, strings, arrays). */
  public static final int PER_INPUT_BYTE = 16;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private AllocationBound() {}

  /** Bytes the current thread has allocated so far. */
  public static long allocatedBytes() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /**
   * Fails when {@code allocated} bytes exceed the bound for an input of {@code inputBytes}.
   *
   * @throws AssertionError naming the decoder and the figures
   */
  public static void check(String decoder, int inputBytes, long allocated) {
    long bound = FIXED_BYTES + (long) PER_INPUT_BYTE * inputBytes;
    if (allocated > bound) {
      throw new AssertionError(
          decoder
              + " allocated "
              + allocated
              + " bytes for an input of "
              + inputBytes
              + " bytes (bound "
              + bound
              + ")");
    }
  }
}
