package io.shoal.node.core.membership;

import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.ClaimAuthority.ClaimKey;
import io.shoal.gossip.ClaimPayloads;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Pin;
import io.shoal.node.core.membership.CatalogPayload.Leave;
import io.shoal.node.core.membership.CatalogPayload.Part;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks a received announcement or leave passes before {@link ViewCatalogs} applies it, the
 * views-mode counterpart of the gossip core's entry checks: the owner's signature over the payload
 * as it arrived ({@link CatalogCodec#signedBytes}), every held version's publisher signature and a
 * carried pin's pinner signature, each with a key from {@link CredentialCache}; and the local trust
 * policy, which keeps only the versions and pin this node may follow. Single-threaded.
 */
final class CatalogChecks {
  private final ClaimAuthority authority;
  private final CredentialCache credentials;

  CatalogChecks(ClaimAuthority authority, CredentialCache credentials) {
    this.authority = authority;
    this.credentials = credentials;
  }

  /** The signatures' verdict: null when every one verifies. */
  CatalogRefusal check(CatalogPayload p) {
    if (!authority.isSigning()) {
      return null;
    }
    if (p instanceof Leave l) {
      return verify(
          l.owner(), CatalogCodec.signedBytes(l.bytes(), l.signedLength()), l.signature());
    }
    Part part = (Part) p;
    CatalogRefusal refused =
        verify(
            part.owner(),
            CatalogCodec.signedBytes(part.bytes(), part.signedLength()),
            part.signature());
    for (int i = 0; refused == null && i < part.versions().size(); i++) {
      HeldVersion v = part.versions().get(i);
      refused =
          verify(
              v.publisher(),
              ClaimPayloads.publication(part.name(), v.version(), v.root()),
              v.publication().bytes());
    }
    Pin pin = part.pin();
    if (refused == null && pin != null) {
      byte[] claim =
          ClaimPayloads.pin(part.name(), pin.stamp(), pin.pinner(), pin.version(), pin.root());
      refused = verify(pin.pinner(), claim, pin.signature().bytes());
    }
    return refused;
  }

  private CatalogRefusal verify(NodeId signer, byte[] payload, byte[] signature) {
    ClaimKey key = credentials.keyOf(signer);
    if (key == null) {
      return CatalogRefusal.UNVERIFIABLE;
    }
    return key.verify(payload, signature) ? null : CatalogRefusal.FORGED;
  }

  /** Whether this node's authority trusts {@code v}: it may win, be followed and be fetched. */
  boolean isTrusted(HeldVersion v) {
    return authority.trusts(v.publisher(), v.root());
  }

  /** The versions and pin this node's authority trusts, as the gossip core's trust filter keeps. */
  CatalogValue trusted(CatalogValue value) {
    List<HeldVersion> kept = new ArrayList<>(value.versions().size());
    for (HeldVersion v : value.versions()) {
      if (isTrusted(v)) {
        kept.add(v);
      }
    }
    Pin pin = value.pin();
    boolean pinKept =
        pin == null
            || (pin.isUnpin()
                ? authority.trustsPinner(pin.pinner())
                : authority.trusts(pin.pinner(), pin.root()));
    return new CatalogValue(kept, pinKept ? pin : null);
  }
}
