package io.shoal.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.core.metrics.Counter;
import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkBatch;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.VerifiedChunk;
import io.shoal.chunkstore.snapshot.FileSelection;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sink's promise to a finished fetch: when {@link ChunkSink#flush} returns, every chunk added
 * before it is visible and durable, even one whose commit the committer had begun; and a commit
 * that fails is counted, so that no fetch running meanwhile is recorded complete with a hole.
 */
class ChunkSinkTest {
  private final ChunkStore memory = ChunkStore.inMemory(1 << 20);
  private final ScheduledExecutorService committer = Executors.newSingleThreadScheduledExecutor();
  private final CountDownLatch committing = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicReference<IOException> commitFailure = new AtomicReference<>();

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    committer.shutdownNow();
    assertThat(committer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    memory.close();
  }

  @Test
  void flush_waitsForTheCommitTheCommitterBegan_thenTheChunkIsVisible() throws Exception {
    ChunkSink sink = new ChunkSink(store(), committer);
    VerifiedChunk chunk = chunk("received while a commit runs");
    sink.add(chunk);
    assertThat(committing.await(10, TimeUnit.SECONDS)).as("the committer takes the batch").isTrue();
    assertThat(memory.contains(chunk.id())).isFalse();

    Thread[] flusher = new Thread[1];
    CompletableFuture<Boolean> visibleOnReturn =
        CompletableFuture.supplyAsync(
            () -> {
              flusher[0] = Thread.currentThread();
              try {
                sink.flush();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
              return memory.contains(chunk.id());
            });
    // Released once the flush returned (the fault) or waits for the running commit (the fix).
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                visibleOnReturn.isDone()
                    || (flusher[0] != null && flusher[0].getState() == Thread.State.BLOCKED));
    release.countDown();
    assertThat(visibleOnReturn.get(10, TimeUnit.SECONDS))
        .as("the chunk is in the store when flush returns")
        .isTrue();
    assertThat(sink.failedCommits()).isZero();
  }

  @Test
  void aCommitThatFails_isCounted_andItsChunksAreNotVisible() throws Exception {
    ChunkSink sink = new ChunkSink(store(), committer);
    VerifiedChunk chunk = chunk("lost with its batch");
    addFailing(sink, chunk, "No space left on device");
    sink.flush();
    assertThat(memory.contains(chunk.id())).isFalse();
    assertThat(sink.failedCommits()).isEqualTo(1);

    commitFailure.set(null);
    VerifiedChunk next = chunk("committed after the failure");
    sink.add(next);
    sink.flush();
    assertThat(memory.contains(next.id())).isTrue();
    assertThat(sink.failedCommits()).as("a later commit that works adds nothing").isEqualTo(1);
  }

  @Test
  void aFetchDuringWhichACommitFailed_failsToFinish_andIsNotRecordedComplete() throws Exception {
    ChunkSink sink = new ChunkSink(store(), committer);
    CatalogEntry target = new CatalogEntry("db", 1, chunk("its root").id(), false, 20, 0);
    FetchJob job = new FetchJob(target, null, false, FileSelection.all(), 0, sink.failedCommits());
    FetchJob later = new FetchJob(target, null, false, FileSelection.all(), 0, 1);
    // A chunk of the fetch, verified and reported received; its commit fails.
    addFailing(sink, chunk("a chunk of the fetch"), "Input/output error");
    commitFailure.set(null);

    CompletableFuture<IOException> finished = new CompletableFuture<>();
    FetchFinisher finisher =
        new FetchFinisher(
            memory, sink, Runnable::run, e -> {}, Counter.builder().name("kept_bytes").build());
    finisher.finish(job, outcome(finished));
    assertThat(finished.get(10, TimeUnit.SECONDS)).hasMessageContaining("could not be committed");
    assertThat(memory.catalog().get("db", 1)).isEmpty();

    CompletableFuture<IOException> laterFinished = new CompletableFuture<>();
    finisher.finish(later, outcome(laterFinished));
    assertThat(laterFinished.get(10, TimeUnit.SECONDS))
        .as("a fetch that started after the failure finishes")
        .isNull();
    assertThat(memory.catalog().get("db", 1))
        .hasValueSatisfying(e -> assertThat(e.complete()).isTrue());
  }

  /** Adds {@code c} to {@code sink}, whose next commit fails with {@code error}; waits for it. */
  private void addFailing(ChunkSink sink, VerifiedChunk c, String error) throws IOException {
    commitFailure.set(new IOException(error));
    release.countDown();
    sink.add(c);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink.failedCommits() == 1);
  }

  private static FetchFinisher.Finished outcome(CompletableFuture<IOException> finished) {
    return new FetchFinisher.Finished() {
      @Override
      public void onDurable(FetchJob job) {
        finished.complete(null);
      }

      @Override
      public void onFailed(FetchJob job, IOException why) {
        finished.complete(why);
      }
    };
  }

  private static VerifiedChunk chunk(String text) {
    return VerifiedChunk.hash(HashAlgorithm.XXH128, text.getBytes(UTF_8));
  }

  /**
   * The in-memory store, whose batches' visible commits wait for {@link #release} after saying so,
   * and fail with {@link #commitFailure} when it is set.
   */
  private ChunkStore store() {
    return proxy(
        ChunkStore.class,
        memory,
        (m, args) ->
            m.getName().equals("newBatch")
                ? proxy(ChunkBatch.class, memory.newBatch(), this::beforeBatchCall)
                : null);
  }

  private Object beforeBatchCall(Method m, Object[] args) throws Exception {
    if (m.getName().equals("commitVisible") || m.getName().equals("commit")) {
      committing.countDown();
      assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
      IOException failure = commitFailure.get();
      if (failure != null) {
        throw failure;
      }
    }
    return null;
  }

  /** Intercepts a call: a result to return instead of the delegate's, or null to go on to it. */
  @FunctionalInterface
  private interface Intercept {
    Object before(Method m, Object[] args) throws Exception;
  }

  private static <T> T proxy(Class<T> type, T delegate, Intercept intercept) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, m, args) -> {
              Object instead = intercept.before(m, args);
              if (instead != null) {
                return instead;
              }
              try {
                return m.invoke(delegate, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }));
  }
}
