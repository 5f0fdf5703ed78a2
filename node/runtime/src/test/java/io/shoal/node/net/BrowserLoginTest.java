package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BrowserLoginTest {
  private static final String COOKIE = "shoal-0123456789abcdef";

  private static BrowserLogin login() {
    return new BrowserLogin(COOKIE, false, Set.of("/status"));
  }

  private static List<String> cookie(String secret) {
    return List.of("other=1; " + COOKIE + "=" + secret);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void redeem_withinTtlOnce_signsIn_secondTimeRefused(long seed) throws Exception {
    FakeClock clock = new FakeClock(seed);
    BrowserLogin login = login();
    String link = login.issueLink(clock.nowNanos());
    clock.advance(BrowserLogin.LINK_TTL.minusMillis(1));

    BrowserLogin.SignIn first = login.redeem(link, clock.nowNanos());
    BrowserLogin.SignIn second = login.redeem(link, clock.nowNanos());

    assertThat(first.outcome()).isEqualTo(BrowserLogin.Outcome.SIGNED_IN);
    assertThat(second.outcome()).isEqualTo(BrowserLogin.Outcome.REFUSED);
    assertThat(login.isSession(cookie(first.secret()), clock.nowNanos())).isTrue();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void redeem_afterTtl_isRefused(long seed) throws Exception {
    FakeClock clock = new FakeClock(seed);
    BrowserLogin login = login();
    String link = login.issueLink(clock.nowNanos());
    clock.advance(BrowserLogin.LINK_TTL);

    assertThat(login.redeem(link, clock.nowNanos()).outcome())
        .isEqualTo(BrowserLogin.Outcome.REFUSED);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void session_afterTtl_isNoLongerOne(long seed) throws Exception {
    FakeClock clock = new FakeClock(seed);
    BrowserLogin login = login();
    String secret = login.redeem(login.issueLink(clock.nowNanos()), clock.nowNanos()).secret();
    clock.advance(BrowserLogin.SESSION_TTL.minusSeconds(1));
    assertThat(login.isSession(cookie(secret), clock.nowNanos())).isTrue();

    clock.advance(Duration.ofSeconds(1));

    assertThat(login.isSession(cookie(secret), clock.nowNanos())).isFalse();
  }

  @Test
  void isSession_forgedOrLinkSecret_isFalse() throws Exception {
    BrowserLogin login = login();
    String link = login.issueLink(0);
    login.redeem(login.issueLink(0), 0);

    assertThat(login.isSession(cookie(link), 0)).as("a link is not a session").isFalse();
    assertThat(login.isSession(cookie("A".repeat(BrowserLogin.SECRET_CHARS)), 0)).isFalse();
    assertThat(login.isSession(List.of(), 0)).isFalse();
  }

  @Test
  void redeem_beyondSessionBound_evictsTheOldest() throws Exception {
    BrowserLogin login = login();
    String oldest = login.redeem(login.issueLink(0), 0).secret();
    for (int i = 1; i < BrowserLogin.MAX_SESSIONS; i++) {
      login.redeem(login.issueLink(i), i);
    }
    assertThat(login.isSession(cookie(oldest), 100)).isTrue();

    login.redeem(login.issueLink(100), 100);

    assertThat(login.sessionCount(100)).isEqualTo(BrowserLogin.MAX_SESSIONS);
    assertThat(login.isSession(cookie(oldest), 100)).isFalse();
  }

  @Test
  void issueLink_beyondBound_isRefusedUntilOneExpires() throws Exception {
    BrowserLogin login = login();
    for (int i = 0; i < BrowserLogin.MAX_LINKS; i++) {
      login.issueLink(0);
    }

    assertThatThrownBy(() -> login.issueLink(0)).isInstanceOf(RetryLaterException.class);
    assertThat(login.issueLink(BrowserLogin.LINK_TTL.toNanos())).isNotEmpty();
  }

  @Test
  void redeem_beyondAttemptsInWindow_isTooMany_untilTheNextWindow() throws Exception {
    BrowserLogin login = login();
    for (int i = 0; i < BrowserLogin.MAX_REDEEMS_PER_WINDOW; i++) {
      assertThat(login.redeem("guess" + i, 0).outcome()).isEqualTo(BrowserLogin.Outcome.REFUSED);
    }
    String link = login.issueLink(1);
    long nextWindow = BrowserLogin.REDEEM_WINDOW.toNanos();

    assertThat(login.redeem(link, 1).outcome()).isEqualTo(BrowserLogin.Outcome.TOO_MANY);
    assertThat(login.redeem(login.issueLink(nextWindow), nextWindow).outcome())
        .isEqualTo(BrowserLogin.Outcome.SIGNED_IN);
  }
}
