package io.shoal.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

/**
 * Writes a run's {@code results.json}, its charts as PNG files ({@link Charts}) and {@code
 * report.html}: the summary and the same charts, embedded.
 */
public final class Report {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What the driver measured around the run (the simulation itself knows no wall clock).
   *
   * @param wallSeconds wall-clock time of the run
   * @param heapBytes peak heap in use
   */
  public record RunStats(double wallSeconds, long heapBytes) {}

  /** The heading of each chart the report can hold, by file name. */
  private static final Map<String, String> CHART_TITLES =
      Map.of(
          "timeline.png", "The swarm over time",
          "close-up.png", "The recovery, close up",
          "throughput.png", "Throughput",
          "upload.png", "Upload per node");

  private Report() {}

  /** Writes both files into {@code dir} (created if missing); returns the HTML file. */
  public static Path write(SimResult r, RunStats stats, Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("result", r);
    json.put("wallSeconds", stats.wallSeconds());
    json.put("heapBytes", stats.heapBytes());
    JSON.writeValue(dir.resolve("results.json").toFile(), json);
    Map<String, byte[]> charts = new LinkedHashMap<>();
    for (Map.Entry<String, XYChart> e : Charts.all(r).entrySet()) {
      byte[] png = png(e.getValue());
      charts.put(e.getKey(), png);
      Files.write(dir.resolve(e.getKey()), png);
    }
    Path html = dir.resolve("report.html");
    Files.writeString(html, html(r, stats, charts), StandardCharsets.UTF_8);
    return html;
  }

  /** The chart of agreement and completion over time, as PNG bytes (for the README's picture). */
  public static byte[] timelinePng(SimResult r) throws IOException {
    return png(Charts.timeline(r));
  }

  private static String html(SimResult r, RunStats stats, Map<String, byte[]> charts) {
    Scenario s = r.scenario();
    StringBuilder b = new StringBuilder();
    b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>shoal simulate ")
        .append(escape(s.name()))
        .append("</title><style>body{font-family:sans-serif;max-width:980px;margin:2em auto}")
        .append("td{padding:2px 12px}img{max-width:100%}</style></head><body>");
    b.append("<h1>shoal simulate: ").append(escape(s.name())).append("</h1><table>");
    row(b, "nodes", String.valueOf(s.nodes()));
    row(b, "seed", String.valueOf(s.seed()));
    row(b, "converged", r.converged() ? "yes" : "no");
    row(
        b,
        "time to convergence",
        r.converged()
            ? fmt("%.1f virtual s from the %s", r.convergenceSeconds(), r.referenceEvent())
            : "did not converge");
    SimResult.Percentiles p = r.completion();
    if (p.count() > 0) {
      row(
          b,
          "transfer completion",
          fmt(
              "p50 %.2f s, p90 %.2f s, p99 %.2f s, p99.9 %.2f s, max %.2f s (%d of %d nodes)",
              p.p50(), p.p90(), p.p99(), p.p999(), p.max(), p.count(), p.expected()));
    }
    if (r.boundSeconds() > 0) {
      row(
          b,
          "Kumar and Ross bound",
          fmt("%.2f s; the last node took %.2fx of it", r.boundSeconds(), r.boundRatio()));
    }
    row(b, "bytes moved", fmt("%,d", r.bytesMoved()));
    row(b, "bytes wasted", fmt("%,d", r.bytesWasted()));
    if (!r.crossZoneBytes().isEmpty()) {
      row(
          b,
          "bytes across zones",
          fmt(
              "%.2f copies per zone (%s); by zone %s",
              r.crossZoneCopiesPerZone(),
              r.scenario().zoneAware() ? "zone-aware" : "zone-blind",
              r.crossZoneBytes()));
    }
    row(b, "events", fmt("%,d", r.events()));
    row(b, "trace hash", r.traceHash());
    row(b, "wall time", fmt("%.1f s", stats.wallSeconds()));
    row(b, "heap", fmt("%,d MiB", stats.heapBytes() >> 20));
    row(b, "invariants", r.violations().isEmpty() ? "all held" : escape(r.violations().toString()));
    row(b, "replay", "<code>" + escape(r.replay()) + "</code>");
    b.append("</table>");
    for (Map.Entry<String, byte[]> e : charts.entrySet()) {
      image(b, CHART_TITLES.get(e.getKey()), e.getValue());
    }
    if (!Charts.movedBytes(r)) {
      b.append(
          "<p>No chunk bytes moved in this run (a catalog-only scenario): no byte charts.</p>");
    }
    b.append("</body></html>\n");
    return b.toString();
  }

  private static void image(StringBuilder b, String title, byte[] png) {
    b.append("<h2>")
        .append(escape(title))
        .append("</h2><img alt=\"")
        .append(escape(title))
        .append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png))
        .append("\">");
  }

  private static byte[] png(XYChart chart) throws IOException {
    System.setProperty("java.awt.headless", "true");
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  private static void row(StringBuilder b, String key, String value) {
    b.append("<tr><td>").append(escape(key)).append("</td><td>").append(value).append("</td></tr>");
  }

  private static String fmt(String format, Object... args) {
    return escape(String.format(Locale.ROOT, format, args));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
