package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.LineMap;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files of one concept each, checked on every module's main sources: no file over {@link
 * #MAX_FILE_LINES} lines and no method or constructor over {@link #MAX_METHOD_LINES}, unless the
 * line just above it is a one-line comment starting with {@value #EXEMPTION} that says why. Methods
 * are measured by the JDK's own parser, from the first line of the declaration (annotations
 * included) to the closing brace.
 */
class SourceLayoutTest {
  static final int MAX_FILE_LINES = 500;
  static final int MAX_METHOD_LINES = 70;
  static final String EXEMPTION = "// Long on purpose:";

  @Test
  @DisplayName("no main source file over 500 lines")
  void mainFiles_areAtMost500Lines() throws IOException {
    List<String> over = new ArrayList<>();
    for (Path f : mainSources()) {
      long lines;
      try (Stream<String> s = Files.lines(f, StandardCharsets.UTF_8)) {
        lines = s.count();
      }
      if (lines > MAX_FILE_LINES) {
        over.add(root().relativize(f) + ": " + lines + " lines");
      }
    }
    assertThat(over).as("main source files over %d lines", MAX_FILE_LINES).isEmpty();
  }

  @Test
  @DisplayName("no method over 70 lines unless a comment says why")
  void methods_areAtMost70Lines() throws IOException {
    assertThat(longMethods(mainSources())).as("methods over %d lines", MAX_METHOD_LINES).isEmpty();
  }

  @Test
  @DisplayName("the method check sees a long method and honours the exemption comment")
  void methodCheck_seesALongMethod_andTheExemption(@TempDir Path tmp) throws IOException {
    StringBuilder src = new StringBuilder("class Long {\n  void longOne() {\n");
    for (int i = 0; i < MAX_METHOD_LINES; i++) {
      src.append("    int a").append(i).append(" = ").append(i).append(";\n");
    }
    src.append("  }\n\n  void shortOne() {}\n}\n");
    Path f = tmp.resolve("Long.java");
    Files.writeString(f, src);
    assertThat(longMethods(List.of(f))).singleElement().asString().contains("longOne: 72 lines");
    Files.writeString(
        f, src.toString().replace("  void longOne", "  " + EXEMPTION + " a table\n  void longOne"));
    assertThat(longMethods(List.of(f))).isEmpty();
  }

  /** Each method or constructor over the limit and not exempt: "FILE:LINE NAME: N lines". */
  private static List<String> longMethods(List<Path> sources) throws IOException {
    List<String> over = new ArrayList<>();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
      Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
      JavacTask task = (JavacTask) javac.getTask(null, files, null, List.of(), null, units);
      SourcePositions positions = Trees.instance(task).getSourcePositions();
      for (CompilationUnitTree unit : task.parse()) {
        Path file = Path.of(unit.getSourceFile().toUri());
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        LineMap map = unit.getLineMap();
        new TreePathScanner<Void, Void>() {
          @Override
          public Void visitMethod(MethodTree m, Void unused) {
            long first = map.getLineNumber(positions.getStartPosition(unit, m));
            long last = map.getLineNumber(positions.getEndPosition(unit, m));
            long length = last - first + 1;
            boolean exempt = first >= 2 && lines.get((int) first - 2).strip().startsWith(EXEMPTION);
            if (length > MAX_METHOD_LINES && !exempt) {
              over.add(
                  root().relativize(file)
                      + ":"
                      + first
                      + " "
                      + m.getName()
                      + ": "
                      + length
                      + " lines");
            }
            return super.visitMethod(m, null);
          }
        }.scan(unit, null);
      }
    }
    return over;
  }

  /** The repository's root: the parent of the cli module, where the tests run. */
  private static Path root() {
    return Path.of("").toAbsolutePath().getParent();
  }

  private static List<Path> mainSources() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root())) {
      walk.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> p.toString().contains("/src/main/java/"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
          .forEach(out::add);
    }
    out.sort(null);
    return out;
  }
}
