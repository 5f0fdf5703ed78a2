package io.shoal.chunkstore;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The child process of {@link StoreCrashTest}: writes batches of random chunks forever and prints
 * each id once its batch has committed, until it is killed.
 */
public final class StoreCrashWriter {
  private StoreCrashWriter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
    try (ChunkStore store =
        ChunkStore.open(dir, StoreOptions.defaults().withPackTargetBytes(4 << 20))) {
      long version = store.catalog().latest("crash").map(CatalogEntry::version).orElse(0L);
      while (true) {
        StringBuilder acked = new StringBuilder();
        ChunkId last = null;
        try (ChunkBatch batch = store.newBatch()) {
          int n = random.nextInt(1, 20);
          for (int i = 0; i < n; i++) {
            byte[] bytes = new byte[random.nextInt(1, 300_000)];
            random.nextBytes(bytes);
            VerifiedChunk c = VerifiedChunk.hash(HashAlgorithm.XXH128, bytes);
            batch.add(c);
            acked.append("chunk ").append(c.id().toHex()).append('\n');
            last = c.id();
          }
          batch.commit();
        }
        store.catalog().put(new CatalogEntry("crash", ++version, last, true, 1, version));
        acked.append("version ").append(version).append('\n');
        System.out.print(acked);
        System.out.flush();
      }
    }
  }
}
