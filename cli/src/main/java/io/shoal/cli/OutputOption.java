package io.shoal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --json}: machine-readable output instead of text. */
final class OutputOption {
  @Option(names = "--json", description = "print JSON instead of text")
  boolean json;

  static void printJson(PrintWriter out, Object value) {
    try {
      out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot encode output as JSON", e);
    }
  }
}
