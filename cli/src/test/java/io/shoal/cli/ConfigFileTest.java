package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigFileTest {
  @TempDir Path tmp;

  private Path config(String... lines) throws Exception {
    Path file = tmp.resolve("node.conf");
    Files.write(file, List.of(lines));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    return file;
  }

  /** The node command as picocli fills it from {@code args}, without running it. */
  private static NodeCommand parsed(String... args) {
    CommandLine cli = new CommandLine(new ShoalCommand());
    CommandLine.ParseResult r = cli.parseArgs(args);
    return (NodeCommand) r.subcommand().commandSpec().userObject();
  }

  @Test
  void node_takesItsOptionsFromTheFile_andTheCommandLineWins() throws Exception {
    Path file =
        config(
            "# a node of the docs swarm",
            "listen = 127.0.0.1:7999",
            "follow = docs*, logs*",
            "download-limit = 4MiB/s",
            "keep = 3",
            "join = 10.0.0.1:7420,10.0.0.2:7420");
    NodeCommand fromFile = parsed("node", "--config", file.toString());
    assertThat(fromFile.listen).isEqualTo("127.0.0.1:7999");
    assertThat(fromFile.follow).containsExactly("docs*", "logs*");
    assertThat(fromFile.limits.downloadBytesPerSecond).isEqualTo(4L << 20);
    assertThat(fromFile.keep).isEqualTo(3);
    assertThat(fromFile.join).containsExactly("10.0.0.1:7420", "10.0.0.2:7420");
    assertThat(fromFile.httpAddress).as("not in the file: the default").isEqualTo("127.0.0.1:7421");

    NodeCommand overridden =
        parsed("node", "--listen", "127.0.0.1:0", "--config", file.toString(), "--follow", "other");
    assertThat(overridden.listen).isEqualTo("127.0.0.1:0");
    assertThat(overridden.follow).containsExactly("other");
    assertThat(overridden.keep).isEqualTo(3);
  }

  @Test
  void node_withAnUnknownKey_failsInOneLineNamingItAndTheValidOnes() throws Exception {
    Path file = config("listen = 127.0.0.1:7999", "", "listne = 127.0.0.1:7420");
    CliTest.Run r = CliTest.shoal("node", "--config", file.toString());
    assertThat(r.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err().strip())
        .doesNotContain("\n")
        .startsWith("shoal: " + file + " line 3: unknown key 'listne'; valid keys: ")
        .contains("listen", "follow", "download-limit", "upload-limit", "log-level");
  }

  @Test
  void node_withAMissingOrGroupWritableFile_failsInOneLine() throws Exception {
    Path missing = tmp.resolve("nope.conf");
    CliTest.Run r = CliTest.shoal("node", "--config", missing.toString());
    assertThat(r.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err().strip()).isEqualTo("shoal: no config file at " + missing);

    Path file = config("listen = 127.0.0.1:7999");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
    r = CliTest.shoal("node", "--config", file.toString());
    assertThat(r.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err().strip())
        .doesNotContain("\n")
        .isEqualTo(
            "shoal: config file "
                + file
                + " may be written by group or others; 'chmod go-w "
                + file
                + "' first");
  }

  @Test
  @DisplayName(
      "a node started with only --config listens where the file says; a flag overrides the file")
  void node_startedWithAConfigFile_listensWhereItSays() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort(); // free now; the node takes it a moment later
    }
    Path data = tmp.resolve("data");
    Path file =
        config(
            "data = " + data,
            "listen = 127.0.0.1:" + port,
            "http = 127.0.0.1:0",
            "download-limit = 4MiB/s",
            "log-level = warn");
    try (NodeProcess node = NodeProcess.launchExactly(data, "--config", file.toString())) {
      node.awaitUp();
      assertThat(node.peer()).isEqualTo("127.0.0.1:" + port);
      assertThat(node.metric("shoal_transfer_download_limit_bytes_per_second")).isEqualTo(4L << 20);
      // The flags NodeProcess adds (--data, --listen 127.0.0.1:0) win over the file's: this node
      // would not start on the file's port, which the first one holds.
      try (NodeProcess other =
          NodeProcess.start(tmp.resolve("other"), "--config", file.toString())) {
        assertThat(other.peer()).isNotEqualTo("127.0.0.1:" + port);
        assertThat(other.data).isEqualTo(tmp.resolve("other"));
      }
      assertThat(Files.readString(node.log)).as("log-level = warn").doesNotContain(" INFO ");
    }
  }
}
