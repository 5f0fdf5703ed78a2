package io.shoal.cli;

import io.shoal.sim.ViewResult;
import io.shoal.sim.ViewScenario;
import io.shoal.sim.ViewSimulation;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code shoal simulate membership-views}: runs a {@link ViewSimulation} and prints its result. */
final class ViewsRun {
  private ViewsRun() {}

  static int run(ViewScenario s, boolean json, PrintWriter out, PrintWriter err) {
    long start = System.nanoTime();
    ViewResult r = new ViewSimulation(s).run();
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    long heapBytes = SimulateCommand.peakHeapBytes();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("result", r);
      doc.put("wallSeconds", wallSeconds);
      doc.put("heapBytes", heapBytes);
      OutputOption.printJson(out, doc);
    } else {
      print(out, r, wallSeconds, heapBytes);
    }
    if (!r.ok()) {
      err.println(
          "shoal: the live nodes' active views do not connect them ("
              + r.components()
              + " components, seed "
              + s.seed()
              + "); replay with: "
              + r.replay());
      return Main.EXIT_FAILURE;
    }
    return 0;
  }

  private static void print(PrintWriter out, ViewResult r, double wallSeconds, long heapBytes) {
    ViewScenario s = r.scenario();
    out.printf(
        Locale.ROOT,
        "%s: %,d nodes, seed %d: active views %s (%d components), %,d live, %,d crashed%n",
        ViewScenario.KIND,
        s.nodes(),
        s.seed(),
        r.connected() ? "connected" : "NOT connected",
        r.components(),
        r.liveNodes(),
        r.crashedNodes());
    out.printf(
        Locale.ROOT,
        "  views: active mean %.2f (min %d), passive mean %.1f, %d asymmetric links%n",
        r.activeViewMean(),
        r.activeViewMin(),
        r.passiveViewMean(),
        r.asymmetricLinks());
    out.printf(
        Locale.ROOT,
        "  %,d broadcasts: reliability mean %.5f, min %.5f, %,d reached every live node;"
            + " last delivery p50 %.2f s, p99 %.2f s, max %.2f s%n",
        r.broadcasts(),
        r.reliabilityMean(),
        r.reliabilityMin(),
        r.fullyDelivered(),
        r.latencyP50(),
        r.latencyP99(),
        r.latencyMax());
    out.printf(
        Locale.ROOT,
        "  per node per second: %.2f messages, %s (membership %.2f, %s; broadcast %.2f, %s);"
            + " %.2f broadcast messages per delivery%n",
        r.messagesPerNodeSecond(),
        Human.bytes((long) r.bytesPerNodeSecond()),
        r.membershipMessagesPerNodeSecond(),
        Human.bytes((long) r.membershipBytesPerNodeSecond()),
        r.broadcastMessagesPerNodeSecond(),
        Human.bytes((long) r.broadcastBytesPerNodeSecond()),
        r.broadcastMessagesPerDelivery());
    out.printf(Locale.ROOT, "  messages by type: %s%n", r.messagesByType());
    out.printf(
        Locale.ROOT,
        "  %,d events in %.1f s of wall time (%,.0f events/s), heap peak %s%n",
        r.events(),
        wallSeconds,
        r.events() / Math.max(1e-9, wallSeconds),
        Human.bytes(heapBytes));
    out.printf(Locale.ROOT, "  trace hash %s%n", r.traceHash());
  }
}
