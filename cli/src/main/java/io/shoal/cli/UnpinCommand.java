package io.shoal.cli;

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
    name = "unpin",
    mixinStandardHelpOptions = true,
    description =
        "Lift the pin of NAME: the highest version wins again, and followers fetch it. Made"
            + " through the running node, signed in its name.")
final class UnpinCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  @Parameters(index = "0", paramLabel = "NAME", description = "the pinned name")
  String name;

  @Override
  public Integer call() throws Exception {
    NodeClient node = NodeClient.find(data.dir).orElseThrow(() -> NodeClient.noNodeOn(data.dir));
    PinView unpin = node.post("/unpin", new PinCall(name, null), PinView.class);
    PrintWriter out = spec.commandLine().getOut();
    if (output.json) {
      OutputOption.printJson(out, unpin);
    } else {
      out.printf("unpinned %s: the highest version wins again%n", unpin.name());
    }
    return 0;
  }
}
