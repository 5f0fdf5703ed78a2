package io.shoal.sim;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, built from a {@link SimResult} alone: the swarm over time (members in
 * agreement, catalogs converged, transfer complete, partitions shaded, crashes, restarts and joins
 * marked), a close-up of the recovery after the last heal or restart, chunk throughput, and upload
 * per node. Legends sit below the plot so they hide no line; every axis has round ticks ({@link
 * Ticks}). A chart that would be flat (bytes, in a run that moves none) is not drawn.
 */
final class Charts {
  /** Series names; the y values are percent of live nodes. */
  static final String PARTITION = "partition in force";

  static final String MEMBERS = "member view agrees";
  static final String CATALOGS = "catalogs converged";
  static final String COMPLETE = "snapshot complete";
  static final String CRASH = "crash";
  static final String RESTART = "restart";
  static final String JOIN = "join";

  /** The close-up starts this long before the last heal or restart. */
  static final double CLOSE_UP_LEAD_SECONDS = 10;

  static final int WIDTH_PX = 900;
  static final int HEIGHT_PX = 380;

  /** Room the chart leaves around its plot, for estimating the plot's size (see {@link #axes}). */
  private static final int X_MARGIN_PX = 110;

  private static final int Y_MARGIN_PX = 150;

  /** Marks are drawn in a strip above 100%, this high. */
  private static final double MARK_ROW_PERCENT = 105;

  private static final double MARK_ROOM_PERCENT = 110;

  private static final Color BLUE = new Color(0, 114, 178);
  private static final Color GREEN = new Color(0, 158, 115);
  private static final Color ORANGE = new Color(213, 94, 0);
  private static final Color RED = new Color(204, 0, 0);
  private static final Color GREY_BAND = new Color(120, 120, 120, 50);

  private Charts() {}

  /** Whether the run moved chunk bytes (a catalog-only run has no byte charts). */
  static boolean movedBytes(SimResult r) {
    return r.bytesMoved() > 0;
  }

  /** The charts of {@code r}, by file name, in the order the report shows them. */
  static Map<String, XYChart> all(SimResult r) {
    Map<String, XYChart> out = new LinkedHashMap<>();
    out.put("timeline.png", timeline(r));
    if (hasCloseUp(r)) {
      out.put("close-up.png", closeUp(r));
    }
    if (movedBytes(r)) {
      out.put("throughput.png", throughput(r));
      out.put("upload.png", upload(r));
    }
    return out;
  }

  /** The swarm over the whole run. */
  static XYChart timeline(SimResult r) {
    List<SimResult.Sample> samples = r.timeline();
    double end = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).seconds();
    for (SimResult.Mark m : r.marks()) {
      end = Math.max(end, m.seconds());
    }
    Ticks.Scale x = Ticks.time(0, end);
    XYChart c = chart(title(r), "virtual time (" + x.unitName() + ")", "share of live nodes");
    swarmSeries(c, r, samples, x, 0);
    marks(c, r.marks(), x);
    axes(c, x, withMarkRoom(r.marks().isEmpty()));
    return c;
  }

  /** Whether the run ended on a recovery worth a close-up (from a heal or a restart). */
  static boolean hasCloseUp(SimResult r) {
    return r.converged() && !r.referenceEvent().equals("publish") && !r.closeUp().isEmpty();
  }

  /** The last {@link #CLOSE_UP_LEAD_SECONDS} before the reference event and the recovery after. */
  static XYChart closeUp(SimResult r) {
    double end = r.virtualSeconds();
    double reference = end - Math.max(0, r.convergenceSeconds());
    List<SimResult.Sample> window = new ArrayList<>();
    for (SimResult.Sample s : r.closeUp()) {
      if (s.seconds() >= reference - CLOSE_UP_LEAD_SECONDS) {
        window.add(s);
      }
    }
    double from = window.isEmpty() ? 0 : window.get(0).seconds() - reference;
    Ticks.Scale x = Ticks.time(from, end - reference);
    XYChart c =
        chart(
            "Recovery after the " + r.referenceEvent() + ", every sample",
            "virtual time after the " + r.referenceEvent() + " (" + x.unitName() + ")",
            "share of live nodes");
    swarmSeries(c, r, window, x, reference);
    axes(c, x, Ticks.percent());
    return c;
  }

  /** Chunk bytes delivered per second, between timeline samples. */
  static XYChart throughput(SimResult r) {
    List<SimResult.Sample> samples = r.timeline();
    List<Double> t = new ArrayList<>();
    List<Double> rate = new ArrayList<>();
    double peak = 0;
    for (int i = 1; i < samples.size(); i++) {
      SimResult.Sample a = samples.get(i - 1);
      SimResult.Sample b = samples.get(i);
      double perSecond =
          (b.bytesMoved() - a.bytesMoved()) / Math.max(1e-9, b.seconds() - a.seconds());
      t.add(b.seconds());
      rate.add(perSecond);
      peak = Math.max(peak, perSecond);
    }
    Ticks.Scale x = Ticks.time(0, t.isEmpty() ? 0 : t.get(t.size() - 1));
    Ticks.Scale y = Ticks.bytes(peak);
    XYChart c =
        chart(
            "Chunk bytes delivered per second, swarm-wide",
            "virtual time (" + x.unitName() + ")",
            y.unitName() + "/s");
    line(c, "delivered", scaled(t, x), scaled(rate, y), BLUE);
    axes(c, x, y);
    c.getStyler().setLegendVisible(false);
    return c;
  }

  /** Bytes each node uploaded, largest first, with one copy of the snapshot as a reference. */
  static XYChart upload(SimResult r) {
    List<Double> bytes = new ArrayList<>();
    for (SimResult.Upload u : r.uploads()) {
      bytes.add((double) u.bytes());
    }
    bytes.sort((a, b) -> Double.compare(b, a));
    double copy = r.scenario().snapshotBytes();
    Ticks.Scale x = Ticks.count(Math.max(1, bytes.size() - 1));
    Ticks.Scale y = Ticks.bytes(Math.max(copy, bytes.isEmpty() ? 0 : bytes.get(0)));
    List<Double> rank = new ArrayList<>();
    for (int i = 0; i < bytes.size(); i++) {
      rank.add((double) i);
    }
    XYChart c = chart("Bytes uploaded per node, largest first", "nodes, by upload", y.unitName());
    line(c, "uploaded", rank, scaled(bytes, y), BLUE);
    XYSeries one =
        line(
            c,
            "one copy of the snapshot",
            List.of(x.min(), x.max()),
            scaled(List.of(copy, copy), y),
            ORANGE);
    one.setLineStyle(SeriesLines.DASH_DASH);
    axes(c, x, y);
    return c;
  }

  private static String title(SimResult r) {
    return transfers(r)
        ? "Members in agreement, catalogs converged and transfer complete"
        : "Members in agreement and catalogs converged";
  }

  /** Whether the run's nodes fetch a snapshot with bytes in it (else "complete" says nothing). */
  private static boolean transfers(SimResult r) {
    return r.scenario().follow() && r.scenario().snapshotBytes() > 0;
  }

  /**
   * Partition band, members, catalogs and completion of {@code samples}, time from {@code zero}.
   */
  private static void swarmSeries(
      XYChart c, SimResult r, List<SimResult.Sample> samples, Ticks.Scale x, double zero) {
    List<Double> t = new ArrayList<>();
    for (SimResult.Sample s : samples) {
      t.add(x.of(s.seconds() - zero));
    }
    if (samples.stream().anyMatch(SimResult.Sample::partitioned)) {
      // First, so the band lies behind the lines.
      XYSeries band = c.addSeries(PARTITION, t, percents(samples, s -> s.partitioned() ? 1 : 0));
      band.setMarker(SeriesMarkers.NONE);
      band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
      band.setFillColor(GREY_BAND);
      band.setLineColor(GREY_BAND);
    }
    line(c, MEMBERS, t, percents(samples, SimResult.Sample::members), BLUE);
    line(c, CATALOGS, t, percents(samples, SimResult.Sample::catalogs), GREEN);
    if (transfers(r)) {
      line(c, COMPLETE, t, percents(samples, SimResult.Sample::complete), ORANGE);
    }
  }

  /** Crashes, restarts and joins as markers in a strip above 100%, one series per kind. */
  private static void marks(XYChart c, List<SimResult.Mark> marks, Ticks.Scale x) {
    mark(c, marks, x, CRASH, SeriesMarkers.TRIANGLE_DOWN, RED);
    mark(c, marks, x, RESTART, SeriesMarkers.TRIANGLE_UP, GREEN);
    mark(c, marks, x, JOIN, SeriesMarkers.DIAMOND, BLUE);
  }

  private static void mark(
      XYChart c,
      List<SimResult.Mark> marks,
      Ticks.Scale x,
      String kind,
      Marker shape,
      Color color) {
    List<Double> t = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (SimResult.Mark m : marks) {
      if (m.kind().equals(kind)) {
        t.add(x.of(m.seconds()));
        y.add(MARK_ROW_PERCENT);
      }
    }
    if (t.isEmpty()) {
      return;
    }
    XYSeries s = c.addSeries(kind + " (" + t.size() + ")", t, y);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    s.setMarker(shape);
    s.setMarkerColor(color);
  }

  /** The series of {@code c} for a kind of mark, or null when the run had none. */
  static XYSeries markSeries(XYChart c, String kind) {
    for (Map.Entry<String, XYSeries> e : c.getSeriesMap().entrySet()) {
      if (e.getKey().startsWith(kind + " (")) {
        return e.getValue();
      }
    }
    return null;
  }

  private static Ticks.Scale withMarkRoom(boolean noMarks) {
    Ticks.Scale p = Ticks.percent();
    return noMarks
        ? p
        : new Ticks.Scale(p.unitName(), p.unit(), p.step(), p.min(), MARK_ROOM_PERCENT);
  }

  private static XYChart chart(String title, String xTitle, String yTitle) {
    XYChart c =
        new XYChartBuilder()
            .width(WIDTH_PX)
            .height(HEIGHT_PX)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    c.getStyler()
        .setLegendPosition(Styler.LegendPosition.OutsideS)
        .setLegendLayout(Styler.LegendLayout.Horizontal)
        .setLegendBorderColor(Color.WHITE)
        .setChartBackgroundColor(Color.WHITE);
    return c;
  }

  private static XYSeries line(
      XYChart c, String name, List<Double> x, List<Double> y, Color color) {
    List<Double> xs = x.isEmpty() ? List.of(0.0) : x;
    List<Double> ys = y.isEmpty() ? List.of(0.0) : y;
    XYSeries s = c.addSeries(name, xs, ys);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    return s;
  }

  /**
   * Fixes both axes to their scales and steers XChart to their steps: XChart picks a 1-2-5 step
   * from a pixel spacing hint, so the hint is the plot's estimated size over the ticks wanted. It
   * puts ticks only at data points when all the values on an axis are equally spaced (as sampled
   * times are), so an invisible frame series with a point off any grid keeps its round steps.
   */
  private static void axes(XYChart c, Ticks.Scale x, Ticks.Scale y) {
    double offX = x.min() + (x.max() - x.min()) * 0.0137;
    double offY = y.min() + (y.max() - y.min()) * 0.0137;
    XYSeries frame =
        c.addSeries("frame", List.of(x.min(), offX, x.max()), List.of(y.min(), offY, y.max()));
    frame.setMarker(SeriesMarkers.NONE);
    frame.setLineColor(new Color(0, 0, 0, 0));
    frame.setShowInLegend(false);
    int xTicks = (int) Math.max(1, Math.round((x.max() - x.min()) / x.step()));
    c.getStyler()
        .setXAxisMin(x.min())
        .setXAxisMax(x.max())
        .setYAxisMin(y.min())
        .setYAxisMax(y.max())
        .setXAxisTickMarkSpacingHint((WIDTH_PX - X_MARGIN_PX) / xTicks)
        .setYAxisTickMarkSpacingHint(
            (int) ((HEIGHT_PX - Y_MARGIN_PX) * y.step() / (y.max() - y.min())))
        .setXAxisDecimalPattern("#,##0.##")
        .setYAxisDecimalPattern(y.unitName().equals("%") ? "0'%'" : "#,##0.##");
  }

  private static List<Double> percents(
      List<SimResult.Sample> samples, ToDoubleFunction<SimResult.Sample> share) {
    List<Double> out = new ArrayList<>();
    for (SimResult.Sample s : samples) {
      out.add(share.applyAsDouble(s) * 100);
    }
    return out;
  }

  private static List<Double> scaled(List<Double> values, Ticks.Scale scale) {
    List<Double> out = new ArrayList<>();
    for (double v : values) {
      out.add(scale.of(v));
    }
    return out;
  }
}
