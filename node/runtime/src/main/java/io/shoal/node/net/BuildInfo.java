package io.shoal.node.net;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * {@code shoal_build_info{version, commit, java_version} 1}: which build a node runs, read from the
 * {@code build.properties} Maven filters into the jar. A value the build did not fill in (a run
 * from an IDE's own classes, or a build without {@code -Dshoal.gitCommit}) reads "unknown".
 */
final class BuildInfo {
  static final String RESOURCE = "build.properties";
  static final String UNKNOWN = "unknown";

  private BuildInfo() {}

  static void register(PrometheusRegistry registry) {
    Properties p = read();
    Info.builder()
        .name("shoal_build_info")
        .help("The build this node runs: shoal version, git commit and Java version; value 1")
        .labelNames("version", "commit", "java_version")
        .register(registry)
        .setLabelValues(
            filled(p.getProperty("version")),
            filled(p.getProperty("commit")),
            Runtime.version().toString());
  }

  /** The property's value, or {@link #UNKNOWN} when it is missing or was never filtered. */
  static String filled(String value) {
    return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value.strip();
  }

  private static Properties read() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // A jar we cannot read our own resource from: every label reads "unknown".
    }
    return p;
  }
}
