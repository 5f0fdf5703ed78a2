package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CompletionCommandTest {
  static final long BASH_TIMEOUT_SECONDS = 30;

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"bash", "zsh"})
  void completion_printsAScriptBashAccepts_namingEverySubcommand(String shell) throws Exception {
    CliTest.Run r = CliTest.shoal("completion", shell);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .isNotBlank()
        .contains("complete -F", "_complete_shoal")
        .contains("node", "fetch", "get", "ls", "status", "publish", "completion")
        .contains("--download-limit", "--upload-limit");
    Path script = Files.writeString(tmp.resolve("shoal-completion." + shell), r.out());
    Process bash =
        new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
    assertThat(bash.waitFor(BASH_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    String complaints =
        new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(bash.exitValue()).as("bash -n says: " + complaints).isZero();
  }

  @Test
  void completion_ofAnUnknownShell_isAUsageError() {
    CliTest.Run r = CliTest.shoal("completion", "fish");
    assertThat(r.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err()).contains("fish");
  }
}
