package org.subspace.orchestrator.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command lines of the benches' child JVMs: this JVM's java and classpath, DJL offline. */
final class ChildJvm {
  private ChildJvm() {}

  /** {@code java OPTIONS -cp CLASSPATH -Dai.djl.offline=true MAIN ARGS}. */
  static List<String> command(List<String> options, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(options);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", mainClass));
    command.addAll(args);
    return command;
  }
}
