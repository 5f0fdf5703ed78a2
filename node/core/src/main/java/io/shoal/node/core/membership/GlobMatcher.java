package io.shoal.node.core.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Matches snapshot names against {@code --follow} patterns: {@code *} and {@code ?} wildcards. */
public final class GlobMatcher {
  private final List<Pattern> patterns = new ArrayList<>();

  public GlobMatcher(List<String> globs) {
    for (String g : globs) {
      StringBuilder re = new StringBuilder();
      for (int i = 0; i < g.length(); i++) {
        char c = g.charAt(i);
        switch (c) {
          case '*' -> re.append(".*");
          case '?' -> re.append('.');
          default -> re.append(Pattern.quote(String.valueOf(c)));
        }
      }
      patterns.add(Pattern.compile(re.toString()));
    }
  }

  public boolean matches(String name) {
    for (Pattern p : patterns) {
      if (p.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }
}
