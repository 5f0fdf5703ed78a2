package io.shoal.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest, or "development" when run from classes. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = ShoalCommand.class.getPackage().getImplementationVersion();
    return new String[] {"shoal " + (v == null ? "development" : v), "Java " + Runtime.version()};
  }
}
