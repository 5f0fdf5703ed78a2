package io.shoal.cli;

import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.PinView;
import java.util.ArrayList;
import java.util.List;
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
        "Show a running node: its members with state, incarnation and last contact, every member's catalog, the pins in force, and the peers it has banned.")
final class StatusCommand implements Callable<Integer> {
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

  @Override
  public Integer call() throws Exception {
    NodeClient client =
        node != null
            ? NodeClient.at(node, data.dir)
            : NodeClient.find(data.dir).orElseThrow(() -> NodeClient.noNodeOn(data.dir));
    NodeStatus s = client.get("/status", NodeStatus.class);
    var out = spec.commandLine().getOut();
    if (output.json) {
      OutputOption.printJson(out, s);
      return 0;
    }
    out.print(render(s));
    return 0;
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
    Human.Table members =
        new Human.Table("MEMBER", "ADDRESS", "STATE", "INCARNATION", "LAST CONTACT");
    for (NodeStatus.Member m : s.members()) {
      members.row(
          m.id().substring(0, 8),
          m.address(),
          m.state(),
          m.incarnation(),
          m.self() ? "self" : m.lastContactMillisAgo() + " ms ago");
    }
    sb.append(members.render()).append('\n');
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
