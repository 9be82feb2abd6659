package org.subspace.orchestrator.cli;

import java.io.PrintWriter;
import java.util.Optional;
import org.subspace.protocol.BadInputException;
import org.subspace.workers.store.StorageFailureException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code subspace} command line: exit 0 on success, 1 when some work failed, 2 for bad input. */
@Command(
    name = "subspace",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Bayesian deep learning by subspace inference: train with SWAG, build a subspace, "
        + "sample its posterior, average the sampled networks.",
    subcommands = {RunCommand.class, OrchestratorCommand.class, WorkerNodeCommand.class, StatusCommand.class, GcCommand.class,
        ReportCommand.class, BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class SubspaceCommand {
  public static final int EXIT_FAILED_WORK = 1;
  public static final int EXIT_BAD_INPUT = 2;

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(execute(out, err, args));
  }

  /** Runs the command line with the given streams and returns its exit code (for tests and embedding). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new SubspaceCommand()).setOut(out).setErr(err);
    commandLine.setParameterExceptionHandler((exception, ignoredArgs) -> {
      String help = exception.getCommandLine().getCommandSpec().qualifiedName() + " --help";
      exception.getCommandLine().getErr().println(
          "error: " + exception.getMessage().replaceAll("\\s*\\R\\s*", " ") + " (see '" + help + "')");
      return EXIT_BAD_INPUT;
    });
    commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
      if (exception instanceof BadInputException) {
        cmd.getErr().println("error: " + exception.getMessage());
        return EXIT_BAD_INPUT;
      }
      Optional<StorageFailureException> failure = StorageFailureException.in(exception);
      if (failure.isPresent()) {
        cmd.getErr().println("error: " + failure.get().getMessage() + (failure.get().diskFull()
            ? "; free some space" : "; mend the storage") + " and run the same command again: finished stages are kept");
        return EXIT_FAILED_WORK;
      }
      cmd.getErr().println("error: " + exception);
      exception.printStackTrace(cmd.getErr());
      return EXIT_FAILED_WORK;
    });
    return commandLine.execute(args);
  }
}
