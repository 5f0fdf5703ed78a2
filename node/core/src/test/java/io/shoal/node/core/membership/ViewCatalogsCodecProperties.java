package io.shoal.node.core.membership;

import static io.shoal.node.core.membership.ViewCatalogsTest.A;
import static io.shoal.node.core.membership.ViewCatalogsTest.B;
import static io.shoal.node.core.membership.ViewCatalogsTest.held;
import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.ClaimAuthority;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Hostile bytes never escape {@link ViewCatalogs} as an exception, and count once: refused, or (a
 * changed owner id) waiting for a credential that never comes, within its bound.
 */
class ViewCatalogsCodecProperties {
  /** A signed announcement of two versions, after A's credential was delivered to B. */
  private static byte[] announcement(ViewCatalogs b) {
    ViewCatalogs a = ViewCatalogsTest.signed(A);
    a.announce(
        "orders",
        new CatalogValue(List.of(held(A, "orders", 1, true), held(A, "orders", 2, false))),
        ViewCatalogsTest.NOW);
    List<byte[]> payloads = ViewCatalogsTest.broadcasts(a);
    ViewCatalogsTest.deliver(payloads.subList(0, payloads.size() - 1), b);
    return payloads.get(payloads.size() - 1);
  }

  @Property(tries = 300)
  void anyChangedByte_ofASignedAnnouncement_isRefusedOnce(
      @ForAll @IntRange(min = 0, max = 2000) int at,
      @ForAll @IntRange(min = 1, max = 255) int xor) {
    ViewCatalogs b = ViewCatalogsTest.signed(B);
    byte[] bytes = announcement(b);
    bytes[at % bytes.length] ^= (byte) xor;

    b.onDelivery(bytes, ViewCatalogsTest.NOW);

    assertThat(ViewCatalogsTest.refused(b) + b.awaiting())
        .isEqualTo(1); // refused, or waits for a key
    assertThat(b.directory().isUp(A)).isFalse();
  }

  @Property(tries = 300)
  void anyTruncation_ofASignedAnnouncement_isRefusedOnce(
      @ForAll @IntRange(min = 0, max = 2000) int cut) {
    ViewCatalogs b = ViewCatalogsTest.signed(B);
    byte[] bytes = announcement(b);

    b.onDelivery(java.util.Arrays.copyOf(bytes, cut % bytes.length), ViewCatalogsTest.NOW);

    assertThat(ViewCatalogsTest.refused(b)).isEqualTo(1);
  }

  @Property(tries = 500)
  void randomBytes_neverThrow(@ForAll @Size(max = 1100) byte[] bytes) {
    ViewCatalogs b = ViewCatalogsTest.node(B, ClaimAuthority.unsigned());

    b.onDelivery(bytes, ViewCatalogsTest.NOW);

    assertThat(ViewCatalogsTest.refused(b)).isLessThanOrEqualTo(1);
  }
}
