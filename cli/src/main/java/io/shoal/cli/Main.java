package io.shoal.cli;

import io.shoal.chunkstore.IoErrors;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point: runs one command and exits with its code. */
public final class Main {
  /** Exit code for an operation that failed. */
  static final int EXIT_FAILURE = 1;

  /** Exit code for a command line that does not parse. */
  static final int EXIT_USAGE = 2;

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0
        && (args[0].equals("fetch") || args[0].equals("demo"))
        && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // A temporary node's own events would drown the command's output (unless asked for). A
      // fetch reports its own failure in one line (which seed, and why), so the node's warnings
      // about the same refusals would only repeat it.
      System.setProperty(
          "org.slf4j.simpleLogger.defaultLogLevel", args[0].equals("fetch") ? "error" : "warn");
    }
    if (args.length > 0 && args[0].equals("node")) {
      // A long-running node's log lines carry their time.
      System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
      System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    }
    System.exit(
        run(
            args,
            new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
            new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true)));
  }

  /** Runs the command line with the given streams and returns the exit code. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    LoggingOptions.reset();
    CommandLine cli = new CommandLine(new ShoalCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("shoal: " + describe(ex));
          if (System.getenv("SHOAL_DEBUG") != null) {
            ex.printStackTrace(commandLine.getErr());
          }
          return EXIT_FAILURE;
        });
    cli.setParameterExceptionHandler(
        (ex, argv) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println("shoal: " + parameterError(ex));
          if (!(ex instanceof ConfigFile.Invalid)) {
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more.");
          }
          return EXIT_USAGE;
        });
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * A bad option value as {@code --opt: what is wrong}: picocli's own wording ("Invalid value for
   * option '--opt': ...") says less in more words.
   */
  static String parameterError(CommandLine.ParameterException ex) {
    if (ex.getCause() instanceof CommandLine.TypeConversionException bad
        && ex.getArgSpec() instanceof CommandLine.Model.OptionSpec option) {
      return option.longestName() + ": " + bad.getMessage();
    }
    return ex.getMessage();
  }

  /** One line that tells an operator what went wrong, without a stack trace. */
  static String describe(Throwable ex) {
    if (ex instanceof IOException e) {
      return IoErrors.describe(e);
    }
    if (ex instanceof IllegalArgumentException || ex instanceof CliException) {
      return ex.getMessage();
    }
    return "internal error: " + ex + " (set SHOAL_DEBUG=1 for the stack trace)";
  }
}
