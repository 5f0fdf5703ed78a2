package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiTokenTest {
  @Test
  void generate_makes256RandomBits_newEachTime() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String value = ApiToken.generate().value();
      assertThat(Base64.getUrlDecoder().decode(value)).hasSize(32);
      assertThat(seen.add(value)).isTrue();
    }
  }

  @Test
  void matches_onlyItsOwnValue() {
    ApiToken token = ApiToken.generate();
    String value = token.value();

    assertThat(token.matches(value)).isTrue();
    assertThat(token.matches(ApiToken.generate().value())).isFalse();
    assertThat(token.matches(value.substring(1))).isFalse();
    assertThat(token.matches(value + "A")).isFalse();
    assertThat(token.matches(value.toUpperCase(java.util.Locale.ROOT))).isFalse();
    assertThat(token.matches("")).isFalse();
    assertThat(token.matches(null)).isFalse();
  }

  @Test
  void toString_neverShowsTheToken() {
    ApiToken token = ApiToken.generate();

    assertThat(token.toString()).doesNotContain(token.value());
  }
}
