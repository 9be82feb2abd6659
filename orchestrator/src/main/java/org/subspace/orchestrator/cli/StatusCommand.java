package org.subspace.orchestrator.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.subspace.orchestrator.runtime.SweepStatus;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.vocabulary.StageState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Print a running sweep's status (GET /status on the node that runs it) as a table: stages by "
        + "state, the estimated time left, the running stages with their progress, the failed ones.")
final class StatusCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  /** The stages worth a line: what runs or will run soon, and what went wrong. */
  private static final Set<StageState> LISTED = EnumSet.of(StageState.QUEUED, StageState.RUNNING, StageState.FAILED);

  @Option(names = "--url", paramLabel = "URL", description = "The status endpoint (default ${DEFAULT-VALUE})")
  String url = "http://127.0.0.1:9464/status";

  @Spec CommandSpec command;

  @Override
  public Integer call() throws InterruptedException {
    HttpResponse<String> response;
    try {
      response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException | IllegalArgumentException e) {
      throw new BadInputException(url + ": no sweep status there (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + ")");
    }
    if (response.statusCode() != 200) {
      throw new BadInputException(url + ": HTTP " + response.statusCode() + ": " + response.body());
    }
    SweepStatus status;
    try {
      status = JSON.readValue(response.body(), SweepStatus.class);
    } catch (IOException e) {
      throw new BadInputException(url + ": not a sweep status: " + e.getMessage());
    }
    print(command.commandLine().getOut(), status);
    return 0;
  }

  static void print(PrintWriter o, SweepStatus s) {
    o.printf(Locale.ROOT, "%s: %s, %d stages %s, running for %.0f s%s%n", s.sweep(), s.finished() ? "finished"
        : "running", s.stages().size(), counts(s), (s.updatedMillis() - s.startedMillis()) / 1e3,
        Double.isNaN(s.etaSeconds()) ? "" : String.format(Locale.ROOT, ", about %.0f s left", s.etaSeconds()));
    s.warnings().forEach(warning -> o.println("warning: " + warning));
    if (s.store() != null) {
      o.printf(Locale.ROOT, "store: %d artifacts, %.1f MB%n", s.store().objects(), s.store().bytes() / 1e6);
    }
    o.printf(Locale.ROOT, "%-9s %-8s %-9s %-22s %s%n", "kind", "state", "attempts", "worker", "stage");
    for (SweepStatus.Stage stage : s.stages()) {
      if (LISTED.contains(stage.state())) {
        o.printf(Locale.ROOT, "%-9s %-8s %-9d %-22s %s%s%n", stage.kind(), stage.state().label(), stage.attempts(),
            stage.worker() == null ? "-" : stage.worker(), stage.description(),
            stage.progress() == null ? "" : "  (" + stage.progress() + ")");
      }
    }
    o.flush();
  }

  /** The counts by state in their spelling, in the order a stage passes through them. */
  private static String counts(SweepStatus s) {
    return s.counts().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey().label() + "=" + e.getValue())
        .collect(Collectors.joining(", ", "{", "}"));
  }
}
