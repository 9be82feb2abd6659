package org.subspace.orchestrator.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.subspace.protocol.BadInputException;
import org.subspace.workers.store.ArtifactStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    description = "Free a store: remove the artifacts no stage manifest, checkpoint pointer or kept checkpoint "
        + "references, and temporaries left by crashed writes; print what was freed. DIR is a sweep's output "
        + "folder (its store/) or a store itself. Files younger than --min-age stay, so a running sweep is safe.")
final class GcCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "A sweep's output folder, or a store")
  Path dir;

  @Option(names = "--min-age", paramLabel = "DURATION",
      description = "Only remove files untouched this long, ISO-8601 (default ${DEFAULT-VALUE})")
  String minAge = "PT15M";

  @Spec CommandSpec command;

  @Override
  public Integer call() {
    Path root = Files.isDirectory(dir.resolve("store")) ? dir.resolve("store") : dir;
    if (!Files.isDirectory(root.resolve("objects"))) {
      throw new BadInputException(dir + ": neither a sweep's output folder nor a store (no objects/ folder)");
    }
    Duration age;
    try {
      age = Duration.parse(minAge);
    } catch (DateTimeParseException e) {
      throw new BadInputException("--min-age: not an ISO-8601 duration such as PT15M: " + minAge);
    }
    if (age.isNegative()) {
      throw new BadInputException("--min-age: must not be negative: " + minAge);
    }
    ArtifactStore.Collected freed = new ArtifactStore(root).collectGarbage(age);
    command.commandLine().getOut().printf(Locale.ROOT,
        "%s: removed %d unreferenced artifacts (%.1f MB) and %d temporaries (%.1f MB); kept %d artifacts (%.1f MB)%n",
        root, freed.objects(), freed.objectBytes() / 1e6, freed.temporaries(), freed.temporaryBytes() / 1e6,
        freed.kept().objects(), freed.kept().bytes() / 1e6);
    command.commandLine().getOut().flush();
    return 0;
  }
}
