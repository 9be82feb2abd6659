package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;
import org.subspace.orchestrator.config.SweepConfigLoader;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.PlannedStage;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.orchestrator.runtime.RunRecord;
import org.subspace.protocol.vocabulary.Method;

/**
 * Every run leaves its record: sweep.conf, a sweep file that plans the same stages again from
 * any working directory, and run.json; a rerun with another configuration says what changed.
 */
class RunRecordTest {
  private static final Path TOY = Path.of("config/sweeps/toy-regression.conf");
  private static final Map<String, String> SHORT = new LinkedHashMap<>(Map.of(
      "training.epochs", "20", "training.swag.start-epoch", "10", "inference.samples", "20",
      "evaluation.grid.enabled", "false", "orchestrator.metrics.enabled", "false"));

  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private static Result execute(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SubspaceCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        args.toArray(new String[0]));
    return new Result(code, out.toString(), err.toString());
  }

  private static List<String> toyRun(Path out, Map<String, String> overrides) {
    List<String> args = new ArrayList<>(List.of("run", TOY.toString(), "--out", out.toString()));
    overrides.forEach((key, value) -> args.addAll(List.of("-D", key + "=" + value)));
    return args;
  }

  private static List<String> stageKeys(SweepSpec spec) {
    return StagePlan.of(spec).stages().stream().map(PlannedStage::key).toList();
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(element -> texts.add(element.asText()));
    return texts;
  }

  @Test
  void aRunRecordsWhatRanAndARerunSaysWhatChanged() throws IOException {
    Path out = dir.resolve("toy");
    List<String> args = toyRun(out, SHORT);
    Result first = execute(args);
    assertEquals(0, first.code(), first.err());
    assertFalse(first.err().contains("note:"), "a first run has nothing to compare with: " + first.err());

    JsonNode run = new ObjectMapper().readTree(out.resolve(RunRecord.RUN).toFile());
    assertEquals(args, texts(run.get("command")));
    String version = run.at("/software/subspace").asText();
    assertFalse(version.isBlank(), run.toString());
    assertEquals(System.getProperty("java.version"), run.at("/software/java").asText());
    assertFalse(Instant.parse(run.get("ended").asText()).isBefore(Instant.parse(run.get("started").asText())));
    assertEquals("ok", run.at("/outcome/status").asText(), run.toString());
    assertEquals(1, run.at("/outcome/configurations").asInt());
    assertEquals(0, run.at("/outcome/exit_code").asInt());
    assertEquals(List.of("worker-1"), texts(run.at("/workers/ran_stages")));

    Result versionLine = execute(List.of("--version"));
    assertTrue(versionLine.out().startsWith("subspace " + version), versionLine.out());
    JsonNode commit = run.at("/software/git_commit");
    assertTrue(commit.isNull() || versionLine.out().contains(commit.asText()), versionLine.out());

    Path recorded = out.resolve(RunRecord.CONFIG);
    assertTrue(Files.readString(recorded).contains("#   subspace run " + TOY + " --out " + out), "names its command");
    SweepConfigLoader loader = new SweepConfigLoader();
    assertEquals(stageKeys(loader.load(TOY, SHORT)), stageKeys(loader.load(recorded, Map.of())));

    Result same = execute(args);
    assertEquals(0, same.code(), same.err());
    assertFalse(same.err().contains("note:"), "the same configuration: " + same.err());
    assertFalse(Files.exists(out.resolve(RunRecord.PREVIOUS_CONFIG)));

    Map<String, String> more = new LinkedHashMap<>(SHORT);
    more.put("inference.temperatures", "[0.5,1.5]");
    Result changed = execute(toyRun(out, more));
    assertEquals(0, changed.code(), changed.err());
    assertEquals(
        List.of("note: " + recorded + " changed since the last run: inference.temperatures [1.5] -> [0.5, 1.5]"),
        changed.err().lines().filter(line -> line.startsWith("note: ")).toList());
    SweepSpec previous = loader.load(out.resolve(RunRecord.PREVIOUS_CONFIG), Map.of());
    assertEquals(List.of(1.5), previous.experiments().get(0).temperatures().get(Method.ESS), "the earlier one is kept");
  }

  @Test
  void aRecordedCatalogSweepWithRelativePathsPlansTheSameStages() {
    Path uci = Path.of("config/sweeps/uci.conf");
    // Relative paths in all three places: catalog entries, a datasets element and the top level.
    Map<String, String> overrides = Map.of(
        "datasets", "[boston, yacht, {data {name = toy-file, source = table, split = all,"
            + " path = \"../shared/data/toy/toy_regression.csv\","
            + " format {separator = comma, header-lines = 1, target-column = 1}}}]",
        "data.path", "\"../shared/data/uci/energy/data.txt\"",
        "data.splits", "[1, 2]");
    SweepConfigLoader loader = new SweepConfigLoader();
    SweepConfigLoader.Loaded original = loader.read(uci, overrides);
    RunRecord.start(dir, original.config(), original.spec(), List.of("run", uci.toString()));

    Path recorded = dir.resolve(RunRecord.CONFIG);
    assertEquals(stageKeys(original.spec()), stageKeys(loader.load(recorded, Map.of())));
    Config written = ConfigFactory.parseFile(recorded.toFile());
    List<String> paths = new ArrayList<>(List.of(written.getString("data.path")));
    for (ConfigValue entry : written.getObject("dataset-catalog").values()) {
      paths.add(((ConfigObject) entry).toConfig().getString("data.path"));
    }
    for (ConfigValue element : written.getList("datasets")) {
      if (element instanceof ConfigObject sections) {
        paths.add(sections.toConfig().getString("data.path"));
      }
    }
    assertEquals(1 + 5 + 1, paths.size(), paths.toString());
    assertTrue(paths.stream().allMatch(p -> Path.of(p).isAbsolute()), paths.toString());
  }
}
