package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MembershipOptionTest {
  @TempDir Path tmp;

  private CliTest.Run node(String... options) {
    String[] args = new String[options.length + 3];
    args[0] = "node";
    args[1] = "--data";
    args[2] = tmp.resolve("d").toString();
    System.arraycopy(options, 0, args, 3, options.length);
    return CliTest.shoal(args);
  }

  @Test
  void unknownMode_isOneClearError() {
    CliTest.Run r = node("--membership", "partial");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("--membership: want full or views, not 'partial'");
  }

  @Test
  void viewSizes_withoutViews_orOutOfRange_areRefused() {
    assertThat(node("--active-view", "3").err())
        .contains("--active-view and --passive-view need --membership views");
    assertThat(node("--membership", "views", "--active-view", "17").err())
        .contains("--membership views: activeViewSize must be 2..16, not 17");
  }
}
