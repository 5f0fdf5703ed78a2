package io.shoal.cli;

import io.shoal.gossip.NodeId;
import io.shoal.node.security.CertificateAuthority;
import io.shoal.node.security.RevocationList;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = {
      "Credentials of a secured cluster: a CA, node credentials it issues, and revocations.",
      "A node runs secured with 'shoal node --credentials NODEDIR': TLS 1.3 with mutual"
          + " authentication, its node id derived from its certificate's public key."
    },
    subcommands = {
      ClusterCommand.Init.class,
      ClusterCommand.Issue.class,
      ClusterCommand.Revoke.class
    })
final class ClusterCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing required subcommand: init, issue or revoke");
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description =
          "Create a cluster CA in DIR: its private key (ca.key, mode 0600; keep it offline), its"
              + " self-signed certificate (ca.crt, valid 10 years) and an empty revocation list"
              + " (revoked.txt). Refuses a DIR that already holds a CA.")
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin OutputOption output;

    @Parameters(index = "0", paramLabel = "DIR", description = "directory of the new CA")
    Path dir;

    /** What {@code --json} prints. */
    record Created(String dir, String clusterId, String fingerprint, String notAfter) {}

    @Override
    public Integer call() throws Exception {
      CertificateAuthority ca = CertificateAuthority.init(dir, Instant.now());
      PrintWriter out = spec.commandLine().getOut();
      if (output.json) {
        OutputOption.printJson(
            out,
            new Created(
                dir.toString(),
                ca.clusterId(),
                ca.fingerprint(),
                ca.certificate().getNotAfter().toInstant().toString()));
        return 0;
      }
      out.printf("created a cluster CA in %s%n", dir);
      out.printf("  cluster id:              %s%n", ca.clusterId());
      out.printf("  CA fingerprint (SHA-256): %s%n", ca.fingerprint());
      out.printf(
          "keep %s secret; give each node a credential with 'shoal cluster issue %s --out NODEDIR'%n",
          dir.resolve(CertificateAuthority.KEY_FILE), dir);
      return 0;
    }
  }

  @Command(
      name = "issue",
      mixinStandardHelpOptions = true,
      description = {
        "Issue a node credential into NODEDIR: node.key (mode 0600), node.crt signed by the CA,"
            + " ca.crt and the CA's current revoked.txt. Run 'shoal node --credentials NODEDIR'.",
        "If NODEDIR already holds a node key it is kept and only the certificate is renewed, so"
            + " the node keeps its id; a running node picks the renewal up within seconds."
      })
  static final class Issue implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin OutputOption output;

    @Parameters(index = "0", paramLabel = "DIR", description = "the CA's directory")
    Path caDir;

    @Option(
        names = "--out",
        paramLabel = "NODEDIR",
        required = true,
        description = "the node's credential directory (made if missing)")
    Path out;

    @Option(
        names = "--days",
        paramLabel = "N",
        defaultValue = "" + CertificateAuthority.DEFAULT_NODE_DAYS,
        description = "validity of the certificate in days (default: ${DEFAULT-VALUE})")
    int days;

    /** What {@code --json} prints. */
    record Issued(String dir, String nodeId, String clusterId, String notAfter, boolean renewed) {}

    @Override
    public Integer call() throws Exception {
      if (days < 1) {
        throw new CliException("--days must be at least 1, not " + days);
      }
      CertificateAuthority ca = CertificateAuthority.open(caDir);
      CertificateAuthority.Issued issued = ca.issue(out, Duration.ofDays(days), Instant.now());
      PrintWriter w = spec.commandLine().getOut();
      if (output.json) {
        OutputOption.printJson(
            w,
            new Issued(
                out.toString(),
                issued.nodeId().toHex(),
                ca.clusterId(),
                issued.notAfter().toString(),
                issued.renewed()));
        return 0;
      }
      w.printf(
          "%s the credential of node %s in %s, valid until %s%n",
          issued.renewed() ? "renewed" : "issued", issued.nodeId().toHex(), out, issued.notAfter());
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = {
        "Revoke NODE_ID: add it to DIR/" + RevocationList.FILE + ".",
        "Then copy that file into every node's credential directory (NODEDIR/"
            + RevocationList.FILE
            + "); each running node re-reads it within seconds, refuses the revoked node from"
            + " then on and closes its connections to it."
      })
  static final class Revoke implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin OutputOption output;

    @Parameters(index = "0", paramLabel = "DIR", description = "the CA's directory")
    Path caDir;

    @Parameters(index = "1", paramLabel = "NODE_ID", description = "32 hex digits")
    String nodeId;

    /** What {@code --json} prints. */
    record Revoked(String nodeId, boolean added, String list, int revokedCount) {}

    @Override
    public Integer call() throws Exception {
      NodeId id = NodeId.parse(nodeId);
      CertificateAuthority ca = CertificateAuthority.open(caDir);
      boolean added = ca.revoke(id);
      Path list = caDir.resolve(RevocationList.FILE);
      PrintWriter w = spec.commandLine().getOut();
      if (output.json) {
        OutputOption.printJson(
            w, new Revoked(id.toHex(), added, list.toString(), ca.revocations().ids().size()));
        return 0;
      }
      w.printf(
          "%s node %s in %s; copy it to NODEDIR/%s on every node%n",
          added ? "revoked" : "already revoked:", id.toHex(), list, RevocationList.FILE);
      return 0;
    }
  }
}
