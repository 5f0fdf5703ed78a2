package io.shoal.node;

import io.shoal.chunkstore.SnapshotName;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.Pin;
import io.shoal.gossip.Winners;
import io.shoal.node.api.PinCall;
import io.shoal.node.api.PinView;
import java.util.Map;

/**
 * {@code POST /pin} and {@code POST /unpin}: resolves {@code NAME@VERSION} to the exact root the
 * swarm announces (the best root of that version, as for a fetch), and makes this node's signed
 * claim through its membership, which spreads it and lets the follow rule honour it here. Runs on
 * an HTTP worker; the gossip state is read and changed on its loop.
 */
final class Pinning {
  private Pinning() {}

  /**
   * Pins {@code call.name()} to {@code call.version()}.
   *
   * @throws IllegalArgumentException when the name or version is malformed, or no member announces
   *     that version with a root this node trusts
   */
  static PinView pin(GossipDriver driver, PinCall call) {
    String name = checkedName(call);
    if (call.version() == null || call.version() < 1) {
      throw new IllegalArgumentException("pin needs a version of at least 1: NAME@VERSION");
    }
    long version = call.version();
    return driver.ask(
        m -> {
          HeldVersion v = announced(m.core(), name, version);
          if (v == null) {
            throw new IllegalArgumentException(
                "cannot pin "
                    + name
                    + "@"
                    + version
                    + ": no member announces that version with a root this node trusts");
          }
          Pin pin = m.onPin(name, version, v.root(), System.currentTimeMillis(), System.nanoTime());
          return view(m.core(), name, made(pin));
        });
  }

  /**
   * Lifts the pin of {@code call.name()}: the highest version wins again everywhere.
   *
   * @throws IllegalArgumentException when the name is malformed or not pinned
   */
  static PinView unpin(GossipDriver driver, PinCall call) {
    String name = checkedName(call);
    return driver.ask(
        m -> {
          if (!m.core().activePins().containsKey(name)) {
            throw new IllegalArgumentException(name + " is not pinned");
          }
          Pin pin = m.onPin(name, 0, null, System.currentTimeMillis(), System.nanoTime());
          return view(m.core(), name, made(pin));
        });
  }

  /** A pin as status shows it. */
  static PinView view(GossipCore core, String name, Pin pin) {
    return new PinView(
        name,
        pin.version(),
        pin.isUnpin() ? null : pin.root().toHex(),
        pin.pinner().toHex(),
        pin.stamp(),
        !pin.isUnpin() && !core.winners().containsKey(name));
  }

  private static String checkedName(PinCall call) {
    if (call.name() == null) {
      throw new IllegalArgumentException("pin and unpin need a snapshot name");
    }
    SnapshotName.check(call.name());
    return call.name();
  }

  private static Pin made(Pin pin) {
    if (pin == null) {
      throw new IllegalStateException("the gossip core failed to make the claim; see the log");
    }
    return pin;
  }

  /** The best root of {@code name@version} among the versions this node trusts; null when none. */
  private static HeldVersion announced(GossipCore core, String name, long version) {
    HeldVersion best = null;
    for (Map<String, CatalogValue> catalog : core.catalogs().values()) {
      CatalogValue value = catalog.get(name);
      for (HeldVersion h : value == null ? java.util.List.<HeldVersion>of() : value.versions()) {
        if (h.version() == version
            && (best == null || Winners.beats(h.version(), h.root(), version, best.root()))) {
          best = h;
        }
      }
    }
    return best;
  }
}
