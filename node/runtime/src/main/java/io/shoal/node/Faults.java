package io.shoal.node;

/**
 * Faults a node injects into its own behaviour, for tests and fault drills. None by default.
 *
 * @param corruptServedChunks flip a byte in every chunk this node serves
 * @param linkFaultRoute serve the admin route {@code /admin/faults} ({@link FaultRoutes}), through
 *     which a token holder cuts, slows or freezes this node's peer links ({@code
 *     --enable-fault-injection}; never on a production node)
 */
public record Faults(boolean corruptServedChunks, boolean linkFaultRoute) {
  public Faults(boolean corruptServedChunks) {
    this(corruptServedChunks, false);
  }

  public static Faults none() {
    return new Faults(false, false);
  }

  /** No behaviour changed, and the link fault route served. */
  public static Faults linkFaultsOnly() {
    return new Faults(false, true);
  }
}
