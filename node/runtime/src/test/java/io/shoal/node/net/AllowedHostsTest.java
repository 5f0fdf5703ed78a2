package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AllowedHostsTest {
  static final InetAddress LOOPBACK_V4 = loopbackV4();

  static InetAddress loopbackV4() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static AllowedHosts loopback(List<String> names) throws Exception {
    return AllowedHosts.of("127.0.0.1", new InetSocketAddress(LOOPBACK_V4, 7421), names, false);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "127.0.0.1:7421, true",
    "localhost:7421, true",
    "LOCALHOST:7421, true",
    "[::1]:7421, true",
    "' 127.0.0.1:7421 ', true",
    "127.0.0.1, false",
    "localhost, false",
    "127.0.0.1:7422, false",
    "attacker.example:7421, false",
    "localhost.:7421, false",
    "127.0.0.1:7421.attacker.example, false",
    "'', false"
  })
  void allows_onLoopback_onlyLoopbackNamesWithThePort(String host, boolean allowed)
      throws Exception {
    assertThat(loopback(List.of()).allows(host)).isEqualTo(allowed);
  }

  @Test
  void allows_nullHost_isFalse() throws Exception {
    assertThat(loopback(List.of()).allows(null)).isFalse();
  }

  @Test
  void of_withNames_addsThePortUnlessTheyCarryOne() throws Exception {
    AllowedHosts hosts = loopback(List.of("Shoal.Internal", "proxy.example:443", "[fd00::1]:8443"));

    assertThat(hosts.allows("shoal.internal:7421")).isTrue();
    assertThat(hosts.allows("shoal.internal")).isFalse();
    assertThat(hosts.allows("proxy.example:443")).isTrue();
    assertThat(hosts.allows("proxy.example:7421")).isFalse();
    assertThat(hosts.allows("[fd00::1]:8443")).isTrue();
  }

  @Test
  void of_configuredByName_allowsTheNameAsWritten() throws Exception {
    AllowedHosts hosts =
        AllowedHosts.of("localhost", new InetSocketAddress(LOOPBACK_V4, 9000), List.of(), false);

    assertThat(hosts.allows("localhost:9000")).isTrue();
    assertThat(hosts.allows("127.0.0.1:9000")).isTrue();
  }

  @Test
  void of_onASpecificAddress_allowsThatAddressButNotLoopbackNames() throws Exception {
    AllowedHosts hosts =
        AllowedHosts.of(
            "10.1.2.3",
            new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}), 7421),
            List.of(),
            true);

    assertThat(hosts.values()).containsExactly("10.1.2.3:7421");
  }

  @Test
  void of_onAWildcardAddress_allowsLoopbackNamesButNotTheWildcard() throws Exception {
    AllowedHosts hosts =
        AllowedHosts.of(
            "0.0.0.0",
            new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 7421),
            List.of(),
            true);

    assertThat(hosts.allows("localhost:7421")).isTrue();
    assertThat(hosts.allows("127.0.0.1:7421")).isTrue();
    assertThat(hosts.allows("attacker.example:7421")).isFalse();
  }

  @Test
  void of_onTheSchemesDefaultPort_allowsNamesWithoutAPort() throws Exception {
    AllowedHosts https =
        AllowedHosts.of(
            "127.0.0.1", new InetSocketAddress(LOOPBACK_V4, 443), List.of("shoal.internal"), true);

    assertThat(https.allows("shoal.internal")).isTrue();
    assertThat(https.allows("shoal.internal:443")).isTrue();
    assertThat(https.allows("attacker.example")).isFalse();
  }

  @ParameterizedTest(name = "{0}:{1} -> {2}")
  @CsvSource({
    "127.0.0.1, 7421, 127.0.0.1:7421",
    "::1, 7421, [::1]:7421",
    "0:0:0:0:0:0:0:1, 80, [0:0:0:0:0:0:0:1]:80",
    "fe80::1%lo, 1, [fe80::1]:1",
    "Localhost, 7421, localhost:7421"
  })
  void authority_isWrittenAsAClientWritesIt(String host, int port, String expected) {
    assertThat(AllowedHosts.authority(host, port)).isEqualTo(expected);
  }

  @Test
  void localAuthority_ofAWildcard_isLoopback() throws Exception {
    assertThat(
            AllowedHosts.localAuthority(
                new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 7421)))
        .isEqualTo("127.0.0.1:7421");
    assertThat(
            AllowedHosts.localAuthority(
                new InetSocketAddress(InetAddress.getByAddress(new byte[16]), 7421)))
        .isEqualTo("127.0.0.1:7421");
  }
}
