package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoggingOptionsTest {
  @TempDir Path tmp;

  @Test
  void quiet_dropsSummaries_butKeepsJsonErrorsAndWhatReadCommandsAreAskedFor() throws Exception {
    String data = tmp.resolve("data").toString();
    Path src = TestData.randomFile(tmp.resolve("blob.bin"), 3, 200_000);

    CliTest.Run published =
        CliTest.shoal("publish", "blob", src.toString(), "--data", data, "--quiet");
    assertThat(published.code()).as(published.err()).isZero();
    assertThat(published.out()).isEmpty();

    CliTest.Run got =
        CliTest.shoal(
            "--quiet", "get", "blob", "-o", tmp.resolve("out").toString(), "--data", data);
    assertThat(got.code()).as(got.err()).isZero();
    assertThat(got.out()).isEmpty();
    assertThat(Files.mismatch(src, tmp.resolve("out"))).isEqualTo(-1);

    CliTest.Run gc = CliTest.shoal("gc", "--data", data, "--quiet");
    assertThat(gc.code()).as(gc.err()).isZero();
    assertThat(gc.out()).isEmpty();

    CliTest.Run json = CliTest.shoal("gc", "--data", data, "--quiet", "--json");
    assertThat(new ObjectMapper().readTree(json.out()).has("versionsDropped")).isTrue();

    CliTest.Run ls = CliTest.shoal("ls", "--data", data, "--quiet");
    assertThat(ls.out()).contains("blob", "complete");

    CliTest.Run missing = CliTest.shoal("get", "nope", "-o", "x", "--data", data, "--quiet");
    assertThat(missing.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(missing.err()).startsWith("shoal: no snapshot named 'nope'");

    CliTest.Run loud = CliTest.shoal("gc", "--data", data);
    assertThat(loud.out()).as("the next command is not quiet").startsWith("dropped ");
  }

  @Test
  void logLevel_ofAnUnknownLevel_namesTheValidOnes() {
    CliTest.Run r = CliTest.shoal("ls", "--log-level", "loud");
    assertThat(r.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err()).startsWith("shoal: --log-level: ").contains("debug", "warn", "off");
  }

  @Test
  void node_logsAtTheLevelAsked_andQuietOnlyWarnings() throws Exception {
    try (NodeProcess debug = NodeProcess.start(tmp.resolve("debug"), "--log-level", "DEBUG")) {
      debug.stop();
      assertThat(Files.readString(debug.log)).contains(" DEBUG ", " INFO ");
    }
    try (NodeProcess quiet = NodeProcess.start(tmp.resolve("quiet"), "--quiet")) {
      quiet.stop();
      assertThat(Files.readString(quiet.log)).doesNotContain(" INFO ", " DEBUG ");
    }
  }
}
