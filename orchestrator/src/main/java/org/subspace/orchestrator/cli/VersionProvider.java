package org.subspace.orchestrator.cli;

import org.subspace.orchestrator.runtime.Versions;
import picocli.CommandLine.IVersionProvider;

/** {@code subspace --version}: this build's version and commit, then what it runs on. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    Versions v = Versions.current();
    return new String[] {
        "subspace " + v.build(),
        String.format("Java %s (%s), Akka %s, DJL %s, PyTorch %s", v.java(), v.javaVendor(), v.akka(), v.djl(),
            v.pytorch())};
  }
}
