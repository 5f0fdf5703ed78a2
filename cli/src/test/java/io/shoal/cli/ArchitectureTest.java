package io.shoal.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.shoal.archfixture.core.LeakyCore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module boundaries of DESIGN.md, checked on the compiled classes of every module. */
class ArchitectureTest {
  static final String[] CORES = {"io.shoal.gossip..", "io.shoal.node.core..", "io.shoal.sim.."};

  static JavaClasses shoal;

  @BeforeAll
  static void importClasses() {
    shoal =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.shoal");
  }

  @Test
  void protocolCores_areSansIo() {
    CoreRules.sansIo(CORES).check(shoal);
  }

  @Test
  void sansIoRule_coversTheMembershipPiece() {
    assertThat(shoal.containPackage("io.shoal.node.core.membership")).isTrue();
    assertThat(ArchitectureTest.CORES).contains("io.shoal.node.core..");
  }

  @Test
  void nodeCore_knowsNothingOfTheRuntime() {
    noClasses()
        .that()
        .resideInAPackage("io.shoal.node.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.shoal.node",
            "io.shoal.node.api..",
            "io.shoal.node.net..",
            "io.shoal.node.security..",
            "io.shoal.sim..")
        .check(shoal);
  }

  @Test
  void sansIoRule_catchesAViolation() {
    JavaClasses fixture = new ClassFileImporter().importClasses(LeakyCore.class);
    assertThatThrownBy(() -> CoreRules.sansIo("io.shoal.archfixture.core..").check(fixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("currentTimeMillis")
        .hasMessageContaining("java.util.Random")
        .hasMessageContaining("Thread.sleep");
  }

  @Test
  void belowNode_nothingKnowsNetty() {
    noClasses()
        .that()
        .resideInAnyPackage("io.shoal.chunkstore..", "io.shoal.gossip..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.netty..")
        .check(shoal);
  }

  @Test
  void credentials_knowNeitherNettyNorTheNetRuntime() {
    noClasses()
        .that()
        .resideInAPackage("io.shoal.node.security..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.netty..", "io.shoal.node.net..")
        .check(shoal);
  }

  @Test
  void dependencies_pointOneWay() {
    noClasses()
        .that()
        .resideInAPackage("io.shoal.chunkstore..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.shoal.gossip..", "io.shoal.node..", "io.shoal.sim..", "io.shoal.cli..")
        .check(shoal);
    noClasses()
        .that()
        .resideInAPackage("io.shoal.gossip..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.shoal.node..", "io.shoal.sim..", "io.shoal.cli..")
        .allowEmptyShould(true)
        .check(shoal);
    noClasses()
        .that()
        .resideInAnyPackage("io.shoal.node..", "io.shoal.sim..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.shoal.cli..")
        .allowEmptyShould(true)
        .check(shoal);
  }

  @Test
  void onlyTheCli_printsToTheTerminal() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.shoal.cli..")
        .should()
        .accessField(System.class, "out")
        .orShould()
        .accessField(System.class, "err")
        .check(shoal);
  }
}
