package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.Method;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.ListeningConnector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import com.sun.jdi.request.EventRequest;
import io.shoal.testing.TestData;
import io.shoal.testing.TreeAssert;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code shoal fetch NAME -o TARGET --force} replacing a directory, SIGKILLed in a process of its
 * own: mid-fetch, and inside the swap (target moved aside, new copy not yet renamed; new copy in
 * place, old one not yet deleted). The swap moments are reached with a JDI breakpoint that freezes
 * the fetching JVM there, so the kill lands exactly in the window without a hook in the code.
 */
class ReplaceKillTest {
  /** The seeder's upload limit in the mid-fetch test (MiB/s): the fetch lasts seconds. */
  static final int SEEDER_UPLOAD_MEGABYTES_PER_SECOND = 2;

  /** The new file v2 adds: big enough that v2 takes several seconds at the limit above. */
  static final long V2_NEW_FILE_BYTES = 16L << 20;

  /** What the temporary copy holds at least when the fetcher is killed mid-fetch. */
  static final long MID_FETCH_BYTES = 1L << 20;

  /** Most time one stage (a process's run, reaching a kill moment) may take. */
  static final Duration STAGE_TIMEOUT = Duration.ofMinutes(2);

  @TempDir Path tmp;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<Process> fetches = new ArrayList<>();
  private int runs;

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : fetches) {
      p.destroyForcibly().waitFor();
    }
    for (NodeProcess n : nodes) {
      n.process.destroyForcibly().waitFor();
    }
  }

  @Test
  @DisplayName(
      "a fetch replacing a directory, SIGKILLed mid-fetch, leaves the old copy whole; the next"
          + " fetch cleans up after it and puts the new copy in place")
  void fetchKilledMidFetch_targetKeepsV1_nextFetchCleansUpAndWritesV2() throws Exception {
    Versions v = versions();
    NodeProcess seeder =
        seeder("--upload-limit", String.valueOf(SEEDER_UPLOAD_MEGABYTES_PER_SECOND));
    Path target = targetHoldingV1(v);

    Process fetch = launchFetch(seeder, target, true, List.of());
    await()
        .atMost(STAGE_TIMEOUT)
        .pollInterval(Duration.ofMillis(10))
        .ignoreExceptionsInstanceOf(UncheckedIOException.class)
        .until(
            () -> {
              assertThat(fetch.isAlive()).as("fetch runs; log:%n%s", lastLog()).isTrue();
              return leftovers(target, ".shoal-tmp-").stream()
                      .mapToLong(ReplaceKillTest::bytes)
                      .sum()
                  >= MID_FETCH_BYTES;
            });
    kill(fetch);

    List<Path> tmpLeft = leftovers(target, ".shoal-tmp-");
    assertThat(tmpLeft).as("the killed fetch's temporary copy").hasSize(1);
    long held = bytes(tmpLeft.get(0));
    // File sizes reach the furthest write (chunks land out of order): an upper bound on what
    // was written, so one below v2's size proves the kill came mid-fetch.
    System.out.printf(
        "killed the fetch with files of %,d of %,d bytes in %s%n", held, v.v2Bytes, tmpLeft);
    assertThat(held).as("the kill came before the fetch was done").isLessThan(v.v2Bytes);
    assertThat(leftovers(target, ".shoal-old-")).as("nothing moved aside yet").isEmpty();
    TreeAssert.assertSameTree(v.v1, target);

    assertThat(runFetch(seeder, target, true)).as(lastLog()).isZero();
    TreeAssert.assertSameTree(v.v2, target);
    assertOnlyTarget(target);
  }

  /** Where in {@link io.shoal.chunkstore.snapshot.Materializer}'s swap the fetch is killed. */
  enum SwapMoment {
    /** The target moved aside, the new copy not yet renamed into place: no target at all. */
    MOVED_ASIDE("io.shoal.chunkstore.AtomicFiles", "move"),
    /** The new copy in place, the old one not yet deleted. */
    RENAMED("io.shoal.chunkstore.snapshot.Materializer", "deleteTree");

    final String className;
    final String methodName;

    SwapMoment(String className, String methodName) {
      this.className = className;
      this.methodName = methodName;
    }
  }

  // Out of the default suite (run with -Dshoal.excludedGroups=none): under the debugger every
  // breakpoint hit suspends the whole fetch JVM while the test inspects it, and on a loaded
  // 2-core CI machine one run's fetch found no usable peer for 30 s before reaching the swap.
  @Tag("jdwp")
  @ParameterizedTest
  @EnumSource(SwapMoment.class)
  @DisplayName(
      "a fetch SIGKILLed inside the swap of an old directory for the new: the next write to the"
          + " target restores or cleans up, and a forced one puts the new copy in place")
  void fetchKilledInsideTheSwap_nextWriteRestoresOrCleansUp(SwapMoment moment) throws Exception {
    Versions v = versions();
    NodeProcess seeder = seeder();
    Path target = targetHoldingV1(v);

    Process fetch = fetchFrozenAt(seeder, target, moment);
    List<Path> old = leftovers(target, ".shoal-old-");
    assertThat(old).as("the target moved aside").hasSize(1);
    TreeAssert.assertSameTree(v.v1, old.get(0));
    if (moment == SwapMoment.MOVED_ASIDE) {
      assertThat(target).as("between the two moves").doesNotExist();
      TreeAssert.assertSameTree(v.v2, leftovers(target, ".shoal-tmp-").get(0));
    } else {
      TreeAssert.assertSameTree(v.v2, target);
    }
    kill(fetch);

    // Without --force the write is refused, after the leftovers are dealt with.
    assertThat(runFetch(seeder, target, false)).as(lastLog()).isNotZero();
    assertThat(lastLog()).contains("--force");
    TreeAssert.assertSameTree(moment == SwapMoment.MOVED_ASIDE ? v.v1 : v.v2, target);
    assertOnlyTarget(target);

    assertThat(runFetch(seeder, target, true)).as(lastLog()).isZero();
    TreeAssert.assertSameTree(v.v2, target);
    assertOnlyTarget(target);
  }

  /** Two versions of a directory: v2 changes a file, keeps two, drops one and adds a big one. */
  record Versions(Path v1, Path v2, long v2Bytes) {}

  private Versions versions() throws IOException {
    Path v1 = tmp.resolve("v1");
    TestData.randomFile(v1.resolve("a/one.bin"), 1, 2L << 20);
    TestData.file(v1.resolve("a/two.txt"), "two\n".getBytes(StandardCharsets.UTF_8));
    TestData.randomFile(v1.resolve("b/keep.bin"), 2, 3L << 20);
    TestData.file(v1.resolve("gone.txt"), "gone\n".getBytes(StandardCharsets.UTF_8));
    Path v2 = tmp.resolve("v2");
    TestData.randomFile(v2.resolve("a/one.bin"), 3, 2L << 20);
    Files.copy(v1.resolve("a/two.txt"), v2.resolve("a/two.txt"));
    Files.createDirectories(v2.resolve("b"));
    Files.copy(v1.resolve("b/keep.bin"), v2.resolve("b/keep.bin"));
    TestData.randomFile(v2.resolve("new/big.bin"), 4, V2_NEW_FILE_BYTES);
    return new Versions(v1, v2, bytes(v2));
  }

  /** A seeder node holding tree@1 and tree@2. */
  private NodeProcess seeder(String... args) throws Exception {
    NodeProcess n = NodeProcess.launch(tmp.resolve("seed"), concat("--no-compression", args));
    nodes.add(n);
    n.awaitUp();
    for (Path version : List.of(tmp.resolve("v1"), tmp.resolve("v2"))) {
      CliTest.Run r =
          CliTest.shoal("publish", "tree", version.toString(), "--data", n.data.toString());
      assertThat(r.code()).as(r.err()).isZero();
    }
    return n;
  }

  /** TARGET, a copy of v1, alone in its parent directory. */
  private Path targetHoldingV1(Versions v) throws IOException {
    Path target = tmp.resolve("out").resolve("target");
    Files.createDirectories(target.getParent());
    try (Stream<Path> all = Files.walk(v.v1)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Files.copy(
            p, target.resolve(v.v1.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    Files.createDirectories(tmp.resolve("jtmp"));
    TreeAssert.assertSameTree(v.v1, target);
    return target;
  }

  /** {@code shoal fetch tree -o TARGET} (no store kept: chunks go straight to the output). */
  private Process launchFetch(NodeProcess seeder, Path target, boolean force, List<String> jvm)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(NodeProcess.JVM_OPTIONS);
    // The fetch's temporary store, which a killed fetch cannot remove, stays under @TempDir.
    cmd.add("-Djava.io.tmpdir=" + tmp.resolve("jtmp"));
    cmd.addAll(jvm);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of("fetch", "tree", "-o", target.toString(), "--join", seeder.peer()));
    if (force) {
      cmd.add("--force");
    }
    runs++;
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log(runs).toFile())
            .start();
    fetches.add(p);
    return p;
  }

  /** Runs a fetch to its end; its exit code. */
  private int runFetch(NodeProcess seeder, Path target, boolean force) throws Exception {
    Process p = launchFetch(seeder, target, force, List.of());
    assertThat(p.waitFor(STAGE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("fetch ends").isTrue();
    return p.exitValue();
  }

  /**
   * Launches a forced fetch under a debugger and returns once the whole JVM is suspended at {@code
   * moment} inside {@code Materializer.moveIntoPlace}.
   */
  private Process fetchFrozenAt(NodeProcess seeder, Path target, SwapMoment moment)
      throws Exception {
    ListeningConnector connector =
        Bootstrap.virtualMachineManager().listeningConnectors().stream()
            .filter(c -> c.name().equals("com.sun.jdi.SocketListen"))
            .findFirst()
            .orElseThrow();
    Map<String, Connector.Argument> args = connector.defaultArguments();
    args.get("localAddress").setValue("127.0.0.1");
    args.get("port").setValue("0");
    args.get("timeout").setValue(String.valueOf(STAGE_TIMEOUT.toMillis()));
    String address = connector.startListening(args);
    String port = address.substring(address.lastIndexOf(':') + 1);
    Process fetch;
    VirtualMachine vm;
    try {
      fetch =
          launchFetch(
              seeder,
              target,
              true,
              List.of(
                  "-agentlib:jdwp=transport=dt_socket,server=n,suspend=y,address=127.0.0.1:"
                      + port));
      vm = connector.accept(args);
    } finally {
      connector.stopListening(args);
    }
    ClassPrepareRequest prepare = vm.eventRequestManager().createClassPrepareRequest();
    prepare.addClassFilter(moment.className);
    prepare.setSuspendPolicy(EventRequest.SUSPEND_ALL);
    prepare.enable();
    vm.resume();
    long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      EventSet events = vm.eventQueue().remove(100);
      if (events == null) {
        continue;
      }
      for (Event e : events) {
        if (e instanceof ClassPrepareEvent prepared) {
          breakAt(vm, prepared.referenceType(), moment.methodName);
        } else if (e instanceof BreakpointEvent hit
            && hit.thread().frame(1).location().method().name().equals("moveIntoPlace")) {
          System.out.printf("froze the fetch in the swap at %s%n", hit.location());
          return fetch;
        } else if (e instanceof VMDeathEvent || e instanceof VMDisconnectEvent) {
          throw new AssertionError("the fetch ended before the swap; log:\n" + lastLog());
        }
      }
      events.resume();
    }
    throw new AssertionError("the fetch did not reach the swap; log:\n" + lastLog());
  }

  private static void breakAt(VirtualMachine vm, ReferenceType type, String methodName) {
    for (Method m : type.methodsByName(methodName)) {
      BreakpointRequest b = vm.eventRequestManager().createBreakpointRequest(m.location());
      b.setSuspendPolicy(EventRequest.SUSPEND_ALL);
      b.enable();
    }
  }

  private static void kill(Process p) throws InterruptedException {
    p.destroyForcibly();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("killed fetch exits").isTrue();
    assertThat(p.exitValue()).as("died of SIGKILL").isEqualTo(128 + 9);
  }

  /** The hidden siblings of {@code target} whose names hold {@code kind}. */
  private static List<Path> leftovers(Path target, String kind) {
    String prefix = "." + target.getFileName() + kind;
    try (Stream<Path> s = Files.list(target.getParent())) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertOnlyTarget(Path target) throws IOException {
    try (Stream<Path> s = Files.list(target.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .as("no leftover beside the target")
          .containsExactly(target.getFileName().toString());
    }
  }

  /** Bytes of the regular files under {@code root}. */
  private static long bytes(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).mapToLong(ReplaceKillTest::size).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path log(int run) {
    return tmp.resolve("fetch-" + run + ".log");
  }

  private String lastLog() {
    try {
      return Files.readString(log(runs));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static String[] concat(String first, String... rest) {
    return Stream.concat(Stream.of(first), Stream.of(rest)).toArray(String[]::new);
  }
}
