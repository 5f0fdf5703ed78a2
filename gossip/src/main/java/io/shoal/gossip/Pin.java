package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import java.util.Objects;

/**
 * A pin or an unpin of one snapshot name: the claim that every follower should hold exactly the
 * version with this root even when a higher one exists ({@code shoal pin NAME@VERSION}), or that
 * the highest version wins again ({@code shoal unpin NAME}). Signed by the node that made it over
 * {@link ClaimPayloads#pin}, so it is carried in every holder's catalog entry of the name (and
 * checked by every node) like a publisher's signature of a held version.
 *
 * <p>Of all the claims known for a name, the newest wins ({@link #isNewerThan}): the greater stamp,
 * then the greater pinner id, then the greater version and root, a total order on distinct claims,
 * so every node that knows the same claims honours the same one, however they arrived (a partition
 * heal included). A pinner stamps a claim past every stamp it knows for the name ({@link
 * #nextStamp}), so a later pin or unpin always wins over one it has seen.
 *
 * @param stamp the claim's position among the name's claims: the pinner's wall clock in ms since
 *     the epoch, raised past every stamp it knew for the name
 * @param pinner the node that made the claim and signed it
 * @param version the pinned version; 0 for an unpin
 * @param root the pinned version's root id; null for an unpin
 * @param signature the pinner's signature over {@link ClaimPayloads#pin}; empty when not signing
 */
public record Pin(long stamp, NodeId pinner, long version, ChunkId root, Signature signature) {
  public Pin {
    Objects.requireNonNull(pinner, "pinner");
    Objects.requireNonNull(signature, "signature");
    if (stamp < 0 || version < 0 || (version == 0) != (root == null)) {
      throw new IllegalArgumentException(
          "bad pin: stamp " + stamp + ", version " + version + ", root " + root);
    }
  }

  /** Whether this claim lifts the pin: the highest version wins again. */
  public boolean isUnpin() {
    return version == 0;
  }

  /** Whether this claim wins over {@code other} (null: no claim, which every claim beats). */
  public boolean isNewerThan(Pin other) {
    if (other == null) {
      return true;
    }
    if (stamp != other.stamp) {
      return stamp > other.stamp;
    }
    int byPinner = pinner.compareTo(other.pinner);
    if (byPinner != 0) {
      return byPinner > 0;
    }
    if (version != other.version) {
      return version > other.version;
    }
    return root != null && root.compareTo(other.root) > 0;
  }

  /** The newer of two claims, either may be null; {@code a} when they are equal. */
  public static Pin newest(Pin a, Pin b) {
    return b != null && b.isNewerThan(a) ? b : a;
  }

  /**
   * The stamp of a new claim made at {@code nowMillis} when {@code newestKnown} is the newest claim
   * known for the name: the clock, or one past that claim's stamp when the clock is not ahead of
   * it.
   *
   * @throws IllegalStateException when the known stamp is at its maximum
   */
  public static long nextStamp(long nowMillis, Pin newestKnown) {
    if (newestKnown == null) {
      return Math.max(0, nowMillis);
    }
    if (newestKnown.stamp == Long.MAX_VALUE) {
      throw new IllegalStateException("the newest pin of this name has the greatest stamp");
    }
    return Math.max(nowMillis, newestKnown.stamp + 1);
  }

  int estimatedBytes() {
    return 8 + 16 + 8 + 17 + signature.length();
  }
}
