package io.shoal.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes a run's {@code results.json} and {@code report.html}: the summary, and charts drawn by
 * XChart (completion over time, agreement around partitions, upload share), embedded as PNG.
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

  private Report() {}

  /** Writes both files into {@code dir} (created if missing); returns the HTML file. */
  public static Path write(SimResult r, RunStats stats, Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("result", r);
    json.put("wallSeconds", stats.wallSeconds());
    json.put("heapBytes", stats.heapBytes());
    JSON.writeValue(dir.resolve("results.json").toFile(), json);
    Path html = dir.resolve("report.html");
    Files.writeString(html, html(r, stats), StandardCharsets.UTF_8);
    return html;
  }

  /** The chart of completion and agreement over time, as PNG bytes (for the README's picture). */
  public static byte[] timelinePng(SimResult r) throws IOException {
    return png(timelineChart(r));
  }

  private static String html(SimResult r, RunStats stats) throws IOException {
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
    row(b, "events", fmt("%,d", r.events()));
    row(b, "trace hash", r.traceHash());
    row(b, "wall time", fmt("%.1f s", stats.wallSeconds()));
    row(b, "heap", fmt("%,d MiB", stats.heapBytes() >> 20));
    row(b, "invariants", r.violations().isEmpty() ? "all held" : escape(r.violations().toString()));
    row(b, "replay", "<code>" + escape(r.replay()) + "</code>");
    b.append("</table>");
    image(b, "Completion and agreement over time", timelineChart(r));
    image(b, "Upload per node", uploadChart(r));
    b.append("</body></html>\n");
    return b.toString();
  }

  private static XYChart timelineChart(SimResult r) {
    XYChart c =
        new XYChartBuilder()
            .width(900)
            .height(360)
            .title("Nodes complete and in agreement")
            .xAxisTitle("virtual seconds")
            .yAxisTitle("fraction of live nodes")
            .build();
    List<Double> t = new ArrayList<>();
    List<Double> complete = new ArrayList<>();
    List<Double> agree = new ArrayList<>();
    List<Double> cut = new ArrayList<>();
    for (SimResult.Sample x : r.timeline()) {
      t.add(x.seconds());
      complete.add(x.complete());
      agree.add(x.agree());
      cut.add(x.partitioned() ? 1.0 : 0.0);
    }
    if (t.isEmpty()) {
      t.add(0.0);
      complete.add(0.0);
      agree.add(0.0);
      cut.add(0.0);
    }
    c.getStyler()
        .setYAxisMin(0.0)
        .setYAxisMax(1.05)
        .setXAxisDecimalPattern("#")
        .setXAxisTickMarkSpacingHint(90)
        .setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
    // The partition goes first, as a pale band behind the lines.
    XYSeries p = c.addSeries("partition in force", t, cut);
    p.setMarker(SeriesMarkers.NONE);
    p.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
    p.setFillColor(new java.awt.Color(120, 120, 120, 50));
    p.setLineColor(new java.awt.Color(120, 120, 120, 0));
    XYSeries a = c.addSeries("agree on members and winners", t, agree);
    a.setMarker(SeriesMarkers.NONE);
    a.setLineColor(new java.awt.Color(0, 114, 178));
    XYSeries done = c.addSeries("complete", t, complete);
    done.setMarker(SeriesMarkers.NONE);
    done.setLineColor(new java.awt.Color(213, 94, 0));
    return c;
  }

  private static XYChart uploadChart(SimResult r) {
    XYChart c =
        new XYChartBuilder()
            .width(900)
            .height(320)
            .title("Bytes uploaded per node, largest first (in copies of the snapshot)")
            .xAxisTitle("nodes, by upload")
            .yAxisTitle("copies")
            .build();
    double size = Math.max(1, r.scenario().snapshotBytes());
    List<Long> bytes = new ArrayList<>();
    for (SimResult.Upload u : r.uploads()) {
      bytes.add(u.bytes());
    }
    bytes.sort((a, b) -> Long.compare(b, a));
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (int i = 0; i < bytes.size(); i++) {
      x.add((double) i);
      y.add(bytes.get(i) / size);
    }
    c.addSeries("upload", x, y).setMarker(SeriesMarkers.NONE);
    c.getStyler().setLegendVisible(false);
    return c;
  }

  private static void image(StringBuilder b, String title, XYChart chart) throws IOException {
    b.append("<h2>")
        .append(escape(title))
        .append("</h2><img alt=\"")
        .append(escape(title))
        .append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png(chart)))
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
