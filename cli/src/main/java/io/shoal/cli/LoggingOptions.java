package io.shoal.cli;

import java.io.PrintWriter;
import java.io.Writer;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code --quiet} and {@code --log-level}, on every command (declared once on {@code shoal} and
 * inherited). Both act while the command line is parsed: the log level becomes slf4j-simple's
 * default before the command creates its first logger.
 *
 * <p>{@code --quiet} is process-wide state that the code printing for people reads ({@link
 * #isQuiet}, {@link #informational}): progress bars and summary lines go, errors and the requested
 * output of read commands ({@code ls}, {@code status}, {@code verify}, {@code --json}) stay.
 */
final class LoggingOptions {
  /** slf4j-simple's default level. */
  static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

  /** The levels {@code --log-level} takes, least severe first. */
  enum Level {
    trace,
    debug,
    info,
    warn,
    error,
    off
  }

  private static volatile boolean quiet;
  private static volatile boolean levelGiven;

  @Option(
      names = "--quiet",
      scope = ScopeType.INHERIT,
      description =
          "no progress bars or summary lines, and only warnings in the log (unless --log-level);"
              + " errors, --json and what ls, status and verify are asked for still print")
  void quiet(boolean on) {
    quiet = on;
    if (on && !levelGiven && current().compareTo(Level.warn) < 0) {
      System.setProperty(LOG_LEVEL_PROPERTY, Level.warn.name());
    }
  }

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      scope = ScopeType.INHERIT,
      description =
          "log level: ${COMPLETION-CANDIDATES} (default: info; warn for demo, error for fetch)")
  void logLevel(Level level) {
    levelGiven = true;
    System.setProperty(LOG_LEVEL_PROPERTY, level.name());
  }

  /**
   * Applies a config file's {@code log-level} and {@code quiet} (either may be null) where the
   * command line gave none: picocli takes the defaults of options inherited from {@code shoal} from
   * {@code shoal}'s own provider, which has no file.
   *
   * @throws IllegalArgumentException naming a value that is no level or no boolean
   */
  static void fromFile(String level, String quietValue) {
    if (level != null && !levelGiven) {
      Level l =
          java.util.Arrays.stream(Level.values())
              .filter(v -> v.name().equalsIgnoreCase(level))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "log-level '"
                              + level
                              + "' is none of "
                              + java.util.Arrays.toString(Level.values())));
      System.setProperty(LOG_LEVEL_PROPERTY, l.name());
      levelGiven = true;
    }
    if (quietValue != null && !quiet) {
      if (!quietValue.equals("true") && !quietValue.equals("false")) {
        throw new IllegalArgumentException("quiet '" + quietValue + "' is neither true nor false");
      }
      new LoggingOptions().quiet(Boolean.parseBoolean(quietValue));
    }
  }

  /** Whether {@code --quiet} was given to the command running. */
  static boolean isQuiet() {
    return quiet;
  }

  /** Where a summary line for people goes: {@code out}, or nowhere under {@code --quiet}. */
  static PrintWriter informational(PrintWriter out) {
    return quiet ? new PrintWriter(Writer.nullWriter()) : out;
  }

  /** Forgets the options of a command run before (tests run many in one process). */
  static void reset() {
    quiet = false;
    levelGiven = false;
  }

  private static Level current() {
    String now = System.getProperty(LOG_LEVEL_PROPERTY, Level.info.name());
    for (Level l : Level.values()) {
      if (l.name().equalsIgnoreCase(now)) {
        return l;
      }
    }
    return Level.info;
  }
}
