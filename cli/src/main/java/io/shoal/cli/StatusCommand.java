package io.shoal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.node.TransferView;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.PinView;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Show a running node: its fetches in progress (stage, bytes done of the snapshot's size,"
            + " rate, ETA, peers), its members with state, incarnation and last contact, every"
            + " member's catalog, the pins in force, and the peers it has banned. --watch"
            + " refreshes it in place.")
final class StatusCommand implements Callable<Integer> {
  static final double MIN_INTERVAL_SECONDS = 0.2;
  static final double MAX_INTERVAL_SECONDS = 3600;

  /** How often --wait looks for the node. */
  static final long WAIT_POLL_MILLIS = 100;

  /** Moves the cursor home: a frame is drawn over the last one. */
  private static final String HOME = "\u001b[H";

  /** Clears the screen. */
  private static final String CLEAR = "\u001b[2J";

  /** Clears the rest of the line: a shorter line leaves nothing of the longer one under it. */
  private static final String CLEAR_LINE = "\u001b[K";

  /** Clears below the cursor: a shorter frame leaves nothing of the longer one under it. */
  private static final String CLEAR_BELOW = "\u001b[J";

  @Spec CommandSpec spec;
  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  @Option(
      names = "--node",
      paramLabel = "HOST:PORT",
      description =
          "HTTP address of the node (default: the node that owns --data; the token and"
              + " certificate come from --data's node.json)")
  String node;

  @Option(
      names = "--watch",
      description =
          "refresh until Ctrl-C: in place on a terminal, else one frame (with --json, one line of"
              + " JSON) after another")
  boolean watch;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "2",
      description =
          "seconds between refreshes with --watch, 0.2 to 3600 (default: ${DEFAULT-VALUE})")
  double intervalSeconds;

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "with --watch, stop after N refreshes (default: until Ctrl-C)")
  Long count;

  @Option(
      names = "--wait",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description =
          "wait up to SECONDS (at most 3600) for the node that owns --data to answer, as a script"
              + " that has just started it would (default: ${DEFAULT-VALUE}, do not wait)")
  double waitSeconds;

  @Override
  public Integer call() throws Exception {
    if (!(waitSeconds >= 0 && waitSeconds <= MAX_INTERVAL_SECONDS)) {
      throw new CliException("--wait must be 0 to 3600 seconds, not " + waitSeconds);
    }
    if (!(intervalSeconds >= MIN_INTERVAL_SECONDS && intervalSeconds <= MAX_INTERVAL_SECONDS)) {
      throw new CliException(
          String.format(
              Locale.ROOT,
              "--interval must be %.1f to %.0f seconds, not %s",
              MIN_INTERVAL_SECONDS,
              MAX_INTERVAL_SECONDS,
              intervalSeconds));
    }
    if (count != null && count < 1) {
      throw new CliException("--count must be at least 1, not " + count);
    }
    NodeClient client = node != null ? NodeClient.at(node, data.dir) : awaitNode();
    var out = spec.commandLine().getOut();
    if (watch) {
      watch(client, out, isTerminal());
      return 0;
    }
    NodeStatus s = client.get("/status", NodeStatus.class);
    if (output.json) {
      OutputOption.printJson(out, s);
      return 0;
    }
    out.print(render(s));
    return 0;
  }

  /** The node that owns --data, looked for every {@link #WAIT_POLL_MILLIS} up to --wait. */
  private NodeClient awaitNode() throws InterruptedException {
    long deadline = System.nanoTime() + (long) (waitSeconds * 1e9);
    while (true) {
      Optional<NodeClient> found = NodeClient.find(data.dir);
      if (found.isPresent()) {
        return found.get();
      }
      if (System.nanoTime() - deadline >= 0) {
        if (waitSeconds > 0) {
          throw new CliException(
              String.format(
                  Locale.ROOT,
                  "no node answered for %s within %.0f s; is 'shoal node --data %s' running? (its"
                      + " log says why it stopped)",
                  data.dir,
                  waitSeconds,
                  data.dir));
        }
        throw NodeClient.noNodeOn(data.dir);
      }
      Thread.sleep(WAIT_POLL_MILLIS);
    }
  }

  @SuppressWarnings("SystemConsoleNull") // Java 17: null means no terminal, which is what we ask.
  private static boolean isTerminal() {
    return System.console() != null;
  }

  /** Redraws the status every interval until Ctrl-C (the JVM's default exit) or --count. */
  private void watch(NodeClient client, PrintWriter out, boolean terminal) throws Exception {
    long intervalMillis = Math.round(intervalSeconds * 1000);
    ObjectMapper json = new ObjectMapper();
    if (terminal && !output.json) {
      out.print(HOME + CLEAR);
    }
    for (long frame = 1; ; frame++) {
      NodeStatus s = client.get("/status", NodeStatus.class);
      String header =
          String.format(
              Locale.ROOT,
              "every %.1f s, at %s (Ctrl-C to stop)%n%n",
              intervalSeconds,
              LocalTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS));
      if (output.json) {
        out.println(json.writeValueAsString(s));
      } else if (terminal) {
        out.print(HOME + (header + render(s)).replace("\n", CLEAR_LINE + "\n") + CLEAR_BELOW);
      } else {
        out.print(header + render(s) + "\n");
      }
      out.flush();
      if (count != null && frame >= count) {
        return;
      }
      Thread.sleep(intervalMillis);
    }
  }

  /** A node in partial-view mode: its links and how many peers it knows besides. */
  private static void renderViews(StringBuilder sb, NodeStatus.Views views) {
    if (views != null) {
      sb.append(
          String.format(
              "partial views: %d active %s, %d passive%n%n",
              views.active().size(),
              views.active().stream().map(id -> id.substring(0, 8)).toList(),
              views.passive().size()));
    }
  }

  static String render(NodeStatus s) {
    StringBuilder sb = new StringBuilder();
    NodeStatus.Self n = s.node();
    sb.append(
        String.format(
            "node %s at %s, cluster '%s' (%s), incarnation %d%n%n",
            n.id().substring(0, 8),
            n.peerAddress(),
            n.clusterId(),
            n.secure() ? "TLS, certificates of its CA" : "INSECURE",
            n.incarnation()));
    sb.append(transfers(s.transfers())).append('\n');
    Human.Table members =
        new Human.Table("MEMBER", "ADDRESS", "ZONE", "STATE", "INCARNATION", "LAST CONTACT");
    for (NodeStatus.Member m : s.members()) {
      members.row(
          m.id().substring(0, 8),
          m.address(),
          m.zone().isEmpty() ? "-" : m.zone(),
          m.state(),
          m.incarnation(),
          m.self() ? "self" : m.lastContactMillisAgo() + " ms ago");
    }
    sb.append(members.render()).append('\n');
    renderViews(sb, s.views());
    Human.Table winners =
        new Human.Table("SNAPSHOT", "VERSION", "ROOT", "SIZE", "COMPLETE ON", "PARTIAL ON");
    for (NodeStatus.WinnerView w : s.winners()) {
      winners.row(
          w.name(),
          w.version(),
          w.root().substring(0, 12),
          Human.bytes(w.sizeBytes()),
          w.completeHolders().size(),
          w.partialHolders().size());
    }
    sb.append(winners.isEmpty() ? "no snapshots in the swarm yet\n" : winners.render())
        .append('\n');
    renderPins(sb, s.pins());
    Human.Table catalogs = new Human.Table("OWNER", "DIGEST", "HOLDS");
    for (NodeStatus.OwnerCatalog c : s.catalogs()) {
      List<String> held = new ArrayList<>();
      for (NodeStatus.Entry e : c.entries()) {
        StringBuilder v = new StringBuilder(e.name()).append('@');
        for (int i = 0; i < e.versions().size(); i++) {
          NodeStatus.Held h = e.versions().get(i);
          v.append(i == 0 ? "" : ",")
              .append(h.version())
              .append(h.complete() ? "" : "(partial)")
              .append(h.trusted() ? "" : "(untrusted)");
        }
        held.add(v.toString());
      }
      catalogs.row(
          c.owner().substring(0, 8),
          c.digest().substring(0, 12),
          held.isEmpty() ? "-" : String.join(" ", held));
    }
    sb.append(catalogs.render());
    if (!s.banned().isEmpty()) {
      Human.Table banned = new Human.Table("BANNED PEER", "REASON", "TIME LEFT");
      for (NodeStatus.BannedPeer b : s.banned()) {
        banned.row(b.id().substring(0, 8), b.reason(), (b.millisLeft() + 999) / 1000 + " s");
      }
      sb.append('\n').append(banned.render());
    }
    return sb.toString();
  }

  /** The fetches in progress, one line each. */
  static String transfers(List<TransferView> transfers) {
    if (transfers.isEmpty()) {
      return "no transfers in progress\n";
    }
    Human.Table table =
        new Human.Table("TRANSFER", "STAGE", "DONE", "RATE", "ETA", "ELAPSED", "PEERS");
    for (TransferView t : transfers) {
      table.row(
          t.label(),
          t.stage(),
          t.totalBytes() > 0
              ? Human.bytesOf(t.doneBytes(), t.totalBytes())
                  + " ("
                  + Human.percent(t.doneBytes(), t.totalBytes())
                  + ")"
              : Human.bytes(t.doneBytes()),
          Human.rate(t.bytesPerSecond()),
          t.etaSeconds() < 0 ? "-" : Human.clock(t.etaSeconds()),
          Human.clock((long) t.elapsedSeconds()),
          t.peers());
    }
    return table.render();
  }

  private static void renderPins(StringBuilder sb, List<PinView> pins) {
    if (pins.isEmpty()) {
      return;
    }
    Human.Table table = new Human.Table("PINNED", "VERSION", "ROOT", "BY", "STATE");
    for (PinView p : pins) {
      table.row(
          p.name(),
          p.version(),
          p.root().substring(0, 12),
          p.pinner().substring(0, 8),
          p.waiting() ? "waiting: no member holds it" : "in force");
    }
    sb.append(table.render()).append('\n');
  }
}
