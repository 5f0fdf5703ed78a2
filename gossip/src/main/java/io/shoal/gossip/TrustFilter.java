package io.shoal.gossip;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The local trust policy over catalogs as relayed: keeps the held versions this node's authority
 * trusts (those it may pick as winners, follow and fetch). Relaying is not filtered, so peers with
 * another policy still see every version. Not thread-safe (the authority decides).
 */
final class TrustFilter {
  private final ClaimAuthority authority;

  TrustFilter(ClaimAuthority authority) {
    this.authority = authority;
  }

  /** Whether this node's authority trusts {@code v}: it may win, be followed and be fetched. */
  boolean isTrusted(HeldVersion v) {
    return authority.trusts(v.publisher(), v.root());
  }

  /**
   * Whether this node honours {@code pin}: its pinner may publish the pinned root here (a pin), or
   * may publish at all (an unpin). An untrusted claim is relayed, never honoured or carried.
   */
  boolean isTrusted(Pin pin) {
    return pin.isUnpin()
        ? authority.trustsPinner(pin.pinner())
        : authority.trusts(pin.pinner(), pin.root());
  }

  /** Every owner's catalog with only the trusted versions, and no name left empty. */
  SortedMap<NodeId, SortedMap<String, CatalogValue>> trusted(
      SortedMap<NodeId, SortedMap<String, CatalogValue>> view) {
    SortedMap<NodeId, SortedMap<String, CatalogValue>> out = new TreeMap<>();
    view.forEach((owner, values) -> out.put(owner, trustedValues(values)));
    return out;
  }

  /** The versions of {@code value} this node's authority trusts. */
  CatalogValue trusted(CatalogValue value) {
    List<HeldVersion> kept = new ArrayList<>(value.versions().size());
    for (HeldVersion v : value.versions()) {
      if (authority.trusts(v.publisher(), v.root())) {
        kept.add(v);
      }
    }
    boolean pinKept = value.pin() == null || isTrusted(value.pin());
    return kept.size() == value.versions().size() && pinKept
        ? value
        : new CatalogValue(kept, pinKept ? value.pin() : null);
  }

  private SortedMap<String, CatalogValue> trustedValues(SortedMap<String, CatalogValue> values) {
    SortedMap<String, CatalogValue> out = new TreeMap<>();
    values.forEach(
        (name, value) -> {
          CatalogValue t = trusted(value);
          if (!t.versions().isEmpty()) {
            out.put(name, t);
          }
        });
    return out;
  }
}
