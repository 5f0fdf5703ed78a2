package io.shoal.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;

/**
 * The sans-IO rule as code (STYLE.md rules 2, 3 and 12): protocol cores neither import Netty nor
 * read the wall clock, sleep, start threads or draw unseeded randomness. Time arrives as a {@code
 * nowNanos} parameter and randomness as an injected generator.
 */
final class CoreRules {
  private CoreRules() {}

  static ArchRule sansIo(String... corePackages) {
    return CompositeArchRule.of(
            noClasses()
                .that()
                .resideInAnyPackage(corePackages)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.netty..", "java.net..", "java.nio.channels.."))
        .and(
            noClasses()
                .that()
                .resideInAnyPackage(corePackages)
                .should()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .callMethod(System.class, "nanoTime")
                .orShould()
                .callMethod(java.time.Instant.class, "now")
                .orShould()
                .callMethod(java.time.Clock.class, "systemUTC")
                .orShould()
                .callMethod(java.time.Clock.class, "systemDefaultZone")
                .orShould()
                .callMethod(Thread.class, "sleep", long.class)
                .orShould()
                .callMethod(Math.class, "random")
                .orShould()
                .callMethod(java.util.UUID.class, "randomUUID")
                .orShould()
                .callMethod(java.util.Collections.class, "shuffle", java.util.List.class)
                .orShould()
                .callConstructor(java.util.Random.class)
                .orShould()
                .callConstructor(java.security.SecureRandom.class)
                .orShould()
                .callConstructor(Thread.class, Runnable.class)
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.util.concurrent.Executors"))
        .allowEmptyShould(true)
        .as("protocol cores in " + String.join(", ", corePackages) + " are sans-IO");
  }
}
