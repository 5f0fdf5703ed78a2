package io.shoal.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The API is the public surface of its module; everything else there is package-private. */
class ApiSurfaceTest {
  @Test
  void theOnlyPublicTypes_areTheApi() {
    Set<String> publicTypes = new TreeSet<>();
    for (JavaClass c :
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.shoal.api")) {
      if (c.getModifiers().contains(JavaModifier.PUBLIC) && !c.isNestedClass()) {
        publicTypes.add(c.getSimpleName());
      }
    }
    assertThat(publicTypes)
        .containsExactly(
            "Appended",
            "Capture",
            "LogRead",
            "LogRecord",
            "Published",
            "RestoreProgress",
            "Restored",
            "Shoal",
            "SnapshotVersion",
            "Subscription");
  }
}
