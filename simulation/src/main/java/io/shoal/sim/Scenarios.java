package io.shoal.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scenarios by name or from a JSON file, with overrides: a file names its {@code kind} and changes
 * any of that kind's defaults; flags on the command line change them once more.
 */
public final class Scenarios {
  /** Largest scenario file read. */
  static final long MAX_FILE_BYTES = 1 << 20;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Scenarios() {}

  /**
   * A built-in scenario ({@code swarm-join}, ...) or a scenario file, with {@code overrides} (field
   * name to value) applied on top.
   */
  public static Scenario resolve(String nameOrFile, Map<String, Object> overrides)
      throws IOException {
    Map<String, Object> fields;
    if (Scenario.KINDS.contains(nameOrFile)) {
      fields = toMap(Scenario.builtIn(nameOrFile));
    } else {
      fields = fromFile(Path.of(nameOrFile));
    }
    fields.putAll(overrides);
    return fromMap(fields, nameOrFile);
  }

  /** {@code scenario} with {@code overrides} applied. */
  public static Scenario with(Scenario scenario, Map<String, Object> overrides) {
    Map<String, Object> fields = toMap(scenario);
    fields.putAll(overrides);
    return fromMap(fields, scenario.name());
  }

  /**
   * The command that replays {@code s} exactly: its kind, nodes and seed, and a {@code --set} for
   * every field that differs from the kind's defaults (so a scenario file is not needed).
   */
  public static String replayCommand(Scenario s) {
    Map<String, Object> base = toMap(Scenario.builtIn(s.kind()));
    Map<String, Object> cur = toMap(s);
    StringBuilder b =
        new StringBuilder("shoal simulate ")
            .append(s.kind())
            .append(" --nodes ")
            .append(s.nodes())
            .append(" --seed ")
            .append(s.seed());
    for (Map.Entry<String, Object> e : cur.entrySet()) {
      String k = e.getKey();
      if (k.equals("kind") || k.equals("nodes") || k.equals("seed")) {
        continue;
      }
      if (!java.util.Objects.equals(base.get(k), e.getValue())) {
        String value;
        try {
          value = JSON.writeValueAsString(e.getValue());
        } catch (JsonProcessingException ex) {
          throw new IllegalStateException(ex);
        }
        b.append(" --set '").append(k).append('=').append(value.replace("'", "'\\''")).append('\'');
      }
    }
    return b.toString();
  }

  /** A {@code --set} value: JSON if it parses (numbers, booleans, lists), else the text itself. */
  public static Object parseValue(String text) {
    try {
      return JSON.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      return text;
    }
  }

  private static Map<String, Object> fromFile(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(
          "no scenario '"
              + file
              + "': neither a built-in ("
              + String.join(", ", Scenario.KINDS)
              + ") nor a readable file");
    }
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new IOException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
    }
    Map<String, Object> raw;
    try {
      raw = JSON.readValue(file.toFile(), new TypeRef());
    } catch (JsonProcessingException e) {
      throw new IOException(file + " is not a valid scenario: " + e.getOriginalMessage(), e);
    }
    Object kind = raw.get("kind");
    if (!(kind instanceof String k) || !Scenario.KINDS.contains(k)) {
      throw new IOException(
          file
              + ": \"kind\" must be one of "
              + String.join(", ", Scenario.KINDS)
              + ", not "
              + kind);
    }
    Map<String, Object> fields = toMap(Scenario.builtIn(k));
    fields.put("name", file.getFileName().toString().replaceFirst("\\.json$", ""));
    fields.putAll(raw);
    return fields;
  }

  private static Map<String, Object> toMap(Scenario s) {
    return new LinkedHashMap<>(JSON.convertValue(s, new TypeRef()));
  }

  private static Scenario fromMap(Map<String, Object> fields, String source) {
    try {
      return JSON.convertValue(fields, Scenario.class);
    } catch (IllegalArgumentException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UnrecognizedPropertyException u) {
        throw new IllegalArgumentException(
            source
                + ": unknown field '"
                + u.getPropertyName()
                + "'; the fields are "
                + u.getKnownPropertyIds().stream()
                    .map(String::valueOf)
                    .sorted()
                    .collect(java.util.stream.Collectors.joining(", ")),
            e);
      }
      if (cause instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f
          && !f.getPath().isEmpty()) {
        throw new IllegalArgumentException(
            source
                + ": field '"
                + f.getPath().get(f.getPath().size() - 1).getFieldName()
                + "' needs "
                + article(f.getTargetType().getSimpleName())
                + ", not '"
                + f.getValue()
                + "'",
            e);
      }
      if (cause instanceof JsonMappingException m && m.getCause() != null) {
        throw new IllegalArgumentException(source + ": " + m.getCause().getMessage(), e);
      }
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static String article(String type) {
    return ("aeiou".indexOf(Character.toLowerCase(type.charAt(0))) >= 0 ? "an " : "a ") + type;
  }

  private static final class TypeRef
      extends com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> {}
}
