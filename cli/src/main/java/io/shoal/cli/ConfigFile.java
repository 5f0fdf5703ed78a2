package io.shoal.cli;

import io.shoal.chunkstore.IoErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code --config FILE}: a command's options from a file, one {@code key = value} a line, the keys
 * being the long option names without their dashes ({@code listen = 127.0.0.1:7420}, {@code follow
 * = docs*}); {@code #} starts a comment line. An option given on the command line wins over the
 * file. A repeatable option takes a comma-separated list ({@code follow = docs*, logs*}). Refused
 * in one line: a missing file, one that group or others may write (it decides what the node
 * trusts), a line without {@code =}, a key given twice, and a key that names no option (the line
 * lists the valid ones).
 *
 * <p>Picocli asks the provider for the default of each option the command line left out, after
 * parsing it, so the provider reads {@code --config}'s value from the parsed command.
 */
final class ConfigFile implements IDefaultValueProvider {
  /** A file that cannot be used: one line, without the usage hint of a bad command line. */
  static final class Invalid extends ParameterException {
    private static final long serialVersionUID = 1L;

    Invalid(CommandLine commandLine, String message) {
      super(commandLine, message);
    }
  }

  /** Options that never come from the file. */
  static final Set<String> NOT_IN_FILES = Set.of("config", "help", "version");

  private Path loadedFrom;
  private Map<String, String> values = Map.of();

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
      return null;
    }
    CommandSpec command = option.command();
    OptionSpec config = command.findOption("--config");
    Path file = config == null ? null : config.getValue();
    if (file == null) {
      return null;
    }
    if (!file.equals(loadedFrom)) {
      values = load(file, command);
      loadedFrom = file;
      try {
        LoggingOptions.fromFile(values.get("log-level"), values.get("quiet"));
      } catch (IllegalArgumentException e) {
        throw new Invalid(command.commandLine(), file + ": " + e.getMessage());
      }
    }
    return values.get(option.longestName().substring(2));
  }

  /** The keys in {@code file}, checked against the options of {@code command}. */
  static Map<String, String> load(Path file, CommandSpec command) {
    List<String> lines = read(file, command.commandLine());
    Set<String> valid = keys(command);
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = file + " line " + (i + 1);
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw invalid(command, where + ": '" + line + "' is not 'key = value'");
      }
      String key = line.substring(0, eq).strip();
      if (!valid.contains(key)) {
        throw invalid(
            command,
            where + ": unknown key '" + key + "'; valid keys: " + String.join(", ", valid));
      }
      // "a, b" reads as the list "a,b": no option's single value holds a comma.
      String value = line.substring(eq + 1).strip().replaceAll("\\s*,\\s*", ",");
      if (values.put(key, value) != null) {
        throw invalid(command, where + ": '" + key + "' given twice");
      }
    }
    return values;
  }

  /** The keys a file may hold for {@code command}: its visible long options, without dashes. */
  static Set<String> keys(CommandSpec command) {
    Set<String> keys = new TreeSet<>();
    for (OptionSpec o : command.options()) {
      String name = o.longestName();
      if (!o.hidden() && name.startsWith("--") && !NOT_IN_FILES.contains(name.substring(2))) {
        keys.add(name.substring(2));
      }
    }
    return keys;
  }

  private static List<String> read(Path file, CommandLine commandLine) {
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      if (mode.contains(PosixFilePermission.GROUP_WRITE)
          || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw new Invalid(
            commandLine,
            "config file "
                + file
                + " may be written by group or others; 'chmod go-w "
                + file
                + "' first");
      }
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new Invalid(commandLine, "no config file at " + file);
    } catch (UnsupportedOperationException e) {
      throw new Invalid(commandLine, "cannot check who may write " + file);
    } catch (IOException e) {
      throw new Invalid(
          commandLine, "cannot read config file " + file + ": " + IoErrors.describe(e));
    }
  }

  private static Invalid invalid(CommandSpec command, String message) {
    return new Invalid(command.commandLine(), message);
  }
}
