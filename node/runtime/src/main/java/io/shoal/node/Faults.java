package io.shoal.node;

/**
 * Faults a node injects into its own behaviour, for tests and fault drills. None by default.
 *
 * @param corruptServedChunks flip a byte in every chunk this node serves
 */
public record Faults(boolean corruptServedChunks) {
  public static Faults none() {
    return new Faults(false);
  }
}
