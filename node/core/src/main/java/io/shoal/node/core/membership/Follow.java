package io.shoal.node.core.membership;

import io.shoal.gossip.Credential;
import io.shoal.gossip.HeldVersion;
import java.util.Objects;

/**
 * Fetch this now: a followed name has a new winner that this node does not hold complete.
 *
 * @param name the snapshot name
 * @param version the winning version, with its publisher's proof
 * @param publisherCredential the publisher's credential as gossip knows it, for the proof the
 *     fetched version keeps; null when unknown or unsigned
 */
public record Follow(String name, HeldVersion version, Credential publisherCredential) {
  public Follow {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
  }
}
