package io.shoal.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
      "Print the running node's HTTP API token (from DIR/node.json, which only the node's user can"
          + " read), for other HTTP clients:",
      "  curl -H \"Authorization: Bearer $(shoal token)\" 127.0.0.1:7421/snapshots/NAME/PATH"
    })
final class TokenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption data;

  @Override
  public Integer call() {
    String token =
        NodeClient.info(data.dir)
            .map(io.shoal.node.DataDirFiles.NodeInfo::token)
            .orElseThrow(() -> NodeClient.noNodeOn(data.dir));
    spec.commandLine().getOut().println(token);
    return 0;
  }
}
