package io.shoal.cli;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.node.api.PinCall;
import io.shoal.node.api.PinView;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "pin",
    mixinStandardHelpOptions = true,
    description =
        "Roll NAME back, or hold it, at a known-good version: every follower in the swarm fetches"
            + " and keeps exactly that version (its root) even when a higher one exists, until"
            + " 'shoal unpin NAME'. Made through the running node, signed in its name; it counts"
            + " where that node may publish NAME (see --trust-publisher).")
final class PinCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  @Parameters(index = "0", paramLabel = "NAME@VERSION", description = "the version to pin")
  String target;

  @Override
  public Integer call() throws Exception {
    SnapshotRef ref;
    try {
      ref = SnapshotRef.parse(target);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    if (ref.version().isEmpty()) {
      throw new CliException("pin needs a version: NAME@VERSION, e.g. " + ref.name() + "@2");
    }
    NodeClient node = NodeClient.find(data.dir).orElseThrow(() -> NodeClient.noNodeOn(data.dir));
    PinView pin =
        node.post("/pin", new PinCall(ref.name(), ref.version().getAsLong()), PinView.class);
    PrintWriter out = spec.commandLine().getOut();
    if (output.json) {
      OutputOption.printJson(out, pin);
    } else {
      out.printf(
          "pinned %s@%d (root %s)%s; 'shoal unpin %s' lifts it%n",
          pin.name(),
          pin.version(),
          pin.root().substring(0, 12),
          pin.waiting()
              ? ": no member holds it now, so followers keep what they hold until one does"
              : ": followers converge on it",
          pin.name());
    }
    return 0;
  }
}
