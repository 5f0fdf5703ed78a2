package io.shoal.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print a shell completion script for shoal's commands and options:",
      "  source <(shoal completion bash)            # this shell",
      "  shoal completion bash > /etc/bash_completion.d/shoal",
      "zsh runs the same script through bashcompinit, which it loads itself."
    })
final class CompletionCommand implements Callable<Integer> {
  /** The shells the script is for: zsh through its bash compatibility. */
  enum Shell {
    bash,
    zsh
  }

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "SHELL",
      description = "bash or zsh (the same script: it loads zsh's bashcompinit when run by zsh)")
  Shell shell;

  @Override
  public Integer call() {
    CommandLine root = spec.root().commandLine();
    spec.commandLine().getOut().print(AutoComplete.bash(root.getCommandName(), root));
    return 0;
  }
}
