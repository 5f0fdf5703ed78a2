package io.shoal.archfixture.core;

import java.util.Random;

/** A deliberately broken "core", so the architecture test can show its rule bites. */
public final class LeakyCore {
  private LeakyCore() {}

  public static long tick() throws InterruptedException {
    Thread.sleep(1);
    return System.currentTimeMillis() + new Random().nextInt();
  }
}
