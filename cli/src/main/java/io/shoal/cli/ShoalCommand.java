package io.shoal.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;

/** The top-level command: lists the subcommands. */
@Command(
    name = "shoal",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Peer-to-peer distribution of snapshots: content-addressed, Merkle-verified, fetched from"
          + " many peers at once.",
      ""
    },
    subcommands = {
      NodeCommand.class,
      StatusCommand.class,
      TokenCommand.class,
      UiCommand.class,
      PublishCommand.class,
      GetCommand.class,
      FetchCommand.class,
      DemoCommand.class,
      ClusterCommand.class,
      LsCommand.class,
      LogCommand.class,
      GcCommand.class,
      RmCommand.class,
      VerifyCommand.class,
      PinCommand.class,
      UnpinCommand.class,
      SimulateCommand.class,
      TestbedCommand.class,
      CompletionCommand.class,
      HelpCommand.class
    },
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n")
final class ShoalCommand {
  @Mixin LoggingOptions logging;
}
