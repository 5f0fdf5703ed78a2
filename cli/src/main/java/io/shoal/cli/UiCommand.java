package io.shoal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "ui",
    mixinStandardHelpOptions = true,
    description = {
      "Print a link that opens the running node's live dashboard (members, catalogs, transfers,"
          + " throughput) in a browser and signs the browser in.",
      "The link works once, within a minute; the browser then holds a session cookie for this"
          + " node only, which reads the dashboard's data and can change nothing.",
      "  xdg-open \"$(shoal ui)\""
    })
final class UiCommand implements Callable<Integer> {
  /** The node's route that makes a one-time sign-in link (bearer token only). */
  static final String LINK_PATH = "/ui/link";

  @Spec CommandSpec spec;
  @Mixin DataDirOption data;

  @Override
  public Integer call() throws Exception {
    NodeClient client = NodeClient.find(data.dir).orElseThrow(() -> NodeClient.noNodeOn(data.dir));
    JsonNode link = client.post(LINK_PATH, Map.of(), JsonNode.class);
    spec.commandLine().getOut().println(client.address() + link.path("path").asText());
    spec.commandLine()
        .getErr()
        .printf(
            "open it within %d s; it signs one browser in and then stops working%n",
            link.path("expiresInSeconds").asLong());
    return 0;
  }
}
