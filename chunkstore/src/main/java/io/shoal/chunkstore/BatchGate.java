package io.shoal.chunkstore;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Keeps garbage collection and batches apart: collection starts only when no batch is open, and
 * batches opened while it runs wait for it. A thread that holds a batch may open another at any
 * time (collection never blocks new batches while merely waiting), so nesting cannot deadlock.
 */
final class BatchGate {
  private int openBatches;
  private boolean collecting;

  synchronized void enterBatch() {
    boolean interrupted = false;
    while (collecting) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    openBatches++;
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  synchronized void exitBatch() {
    openBatches--;
    notifyAll();
  }

  synchronized void beginCollection() throws IOException {
    try {
      while (collecting || openBatches > 0) {
        wait();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for batches to close");
    }
    collecting = true;
  }

  synchronized void endCollection() {
    collecting = false;
    notifyAll();
  }
}
