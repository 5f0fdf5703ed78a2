package io.shoal.chunkstore.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Any sequence of appends, seals, reopens and drops leaves a log that reads back exactly what a
 * plain list of the appended records holds, from any offset it still holds.
 */
class ChangeLogProperties {
  static final ChangeLog.Options OPTIONS = new ChangeLog.Options(200, Duration.ofSeconds(1));
  static final long MILLI = 1_000_000L;

  /** One step: 0-5 append that many records, 6 seal, 7 reopen, 8 drop, 9 let time pass. */
  @Provide
  Arbitrary<List<Integer>> steps() {
    return Arbitraries.integers().between(0, 9).list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(tries = 60)
  void theLogReadsBackWhatWasAppended(@ForAll("steps") List<Integer> steps) throws IOException {
    Path dir = Files.createTempDirectory("shoal-log");
    List<byte[]> model = new ArrayList<>();
    long now = 0;
    long start = 0;
    ChangeLog log = ChangeLog.open(dir, "orders", OPTIONS, now);
    try {
      for (int step : steps) {
        now += 100 * MILLI;
        if (step <= 5) {
          List<byte[]> batch = new ArrayList<>();
          for (int i = 0; i <= step; i++) {
            batch.add(
                ("r" + model.size() + "-" + "x".repeat((model.size() * 7) % 40))
                    .getBytes(StandardCharsets.UTF_8));
            model.add(batch.get(i));
          }
          assertThat(log.append(batch, now)).isEqualTo(model.size() - batch.size());
        } else if (step == 6) {
          log.seal(now);
        } else if (step == 7) {
          log.close();
          log = ChangeLog.open(dir, "orders", OPTIONS, now);
        } else if (step == 8) {
          log.dropBefore(model.size() / 2);
          start = log.startOffset();
        } else {
          now += 2_000 * MILLI;
          log.sealIfDue(now);
        }
        assertThat(log.endOffset()).isEqualTo(model.size());
        assertThat(log.startOffset()).isEqualTo(start);
      }
      List<LogRecord> read = log.read(start, Integer.MAX_VALUE);
      assertThat(read).hasSize((int) (model.size() - start));
      for (LogRecord r : read) {
        assertThat(r.data()).isEqualTo(model.get((int) r.offset()));
      }
      long end = -1;
      for (SegmentRef s : log.sealed()) {
        assertThat(end < 0 || s.firstOffset() == end).isTrue();
        end = s.endOffset();
      }
    } finally {
      log.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
