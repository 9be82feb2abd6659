package org.subspace.orchestrator.runtime;

import ai.djl.engine.Engine;
import akka.Version;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The software a run uses: this build (its version and the commit it was built from, when the
 * build knew it) and the JVM and libraries under it.
 *
 * @param gitCommit null when the build had no git repository
 * @param gitDirty whether the build's working tree had uncommitted changes; null when unknown
 * @param pytorch the libtorch version the build pins (reading the loaded one would load it)
 */
public record Versions(String subspace, String gitCommit, Boolean gitDirty, String java, String javaVendor,
    String akka, String djl, String pytorch) {

  public static Versions current() {
    // The jar's manifest names the version; running from classes (tests, IDEs) there is none.
    Properties build = resource("build.properties");
    String version = Versions.class.getPackage().getImplementationVersion();
    Properties git = resource("git.properties");
    String dirty = git.getProperty("git.dirty");
    return new Versions(version != null ? version : build.getProperty("version"), git.getProperty("git.commit.id"),
        dirty == null ? null : Boolean.valueOf(dirty), System.getProperty("java.version"),
        System.getProperty("java.vendor"), Version.current(),
        // The class's package, from its jar's manifest: calling into Engine would start looking for engines.
        Engine.class.getPackage().getSpecificationVersion(), build.getProperty("pytorch"));
  }

  /** The version with its commit, e.g. {@code 0.1.0 (commit 1a2b..., with uncommitted changes)}. */
  public String build() {
    if (gitCommit == null) {
      return subspace;
    }
    return subspace + " (commit " + gitCommit + (Boolean.TRUE.equals(gitDirty) ? ", with uncommitted changes)" : ")");
  }

  /** A properties file the build writes beside this class; empty when this build wrote none. */
  private static Properties resource(String name) {
    Properties properties = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream(name)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the build's " + name + ": " + e.getMessage(), e);
    }
    return properties;
  }
}
