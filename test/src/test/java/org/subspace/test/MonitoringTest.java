package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.cli.SubspaceCommand;

/** Metrics scraped during a sweep, its live status, and the report it leaves behind. */
class MonitoringTest {
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");

  @TempDir Path dir;

  private static String get(HttpClient client, String url) throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), url);
    return response.body();
  }

  @Test
  void metricsAndStatusAreServedDuringASweepAndTheReportFollows() throws Exception {
    Path out = dir.resolve("sweep");
    int port = TestRuns.freePort();
    CompletableFuture<Integer> sweep = CompletableFuture.supplyAsync(() -> SubspaceCommand.execute(
        new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
        "run", "config/sweeps/toy-grid.conf", "--out", out.toString(), "--quiet",
        "-D", "training.epochs=400", "-D", "training.swag.start-epoch=300", "-D", "inference.samples=300",
        "-D", "orchestrator.metrics.port=" + port));
    HttpClient client = HttpClient.newHttpClient();
    String metrics = null;
    JsonNode status = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && !sweep.isDone()) {
      try {
        String text = get(client, "http://127.0.0.1:" + port + "/metrics");
        if (value(text, "subspace_training_epochs_total", "") > 0 && text.contains("subspace_ess_iterations_total")) {
          metrics = text;
          status = new ObjectMapper().readTree(get(client, "http://127.0.0.1:" + port + "/status"));
          break;
        }
      } catch (ConnectException notYet) {
        // The endpoint opens when the sweep starts.
      }
      Thread.sleep(100);
    }
    assertEquals(0, sweep.get(120, TimeUnit.SECONDS));
    assertNotNull(metrics, "scraped /metrics while the sweep ran");

    Map<String, String> types = new HashMap<>();
    for (String line : metrics.lines().toList()) {
      if (line.startsWith("# TYPE ")) {
        String[] f = line.split(" ");
        types.put(f[2], f[3]);
      } else if (!line.startsWith("#") && !line.isBlank()) {
        Matcher m = SAMPLE.matcher(line);
        assertTrue(m.matches(), "a Prometheus sample line: " + line);
        String name = m.group(1);
        if (name.startsWith("subspace_")) {
          assertTrue(name.matches("[a-z0-9_]+"), "snake_case: " + name);
        }
      }
    }
    types.forEach((name, type) -> {
      if (name.startsWith("subspace_") && type.equals("counter")) {
        assertTrue(name.endsWith("_total"), "counters end in _total: " + name);
      }
    });
    for (String name : List.of("subspace_actor_messages_total", "subspace_actor_processing_seconds_count",
        "subspace_actor_mailbox_messages", "subspace_stages_running", "subspace_stages_queued",
        "subspace_worker_slots", "subspace_stage_attempts_total", "subspace_training_loss",
        "subspace_artifact_stored_bytes_total")) {
      assertTrue(metrics.contains(name), name + " in:\n" + metrics);
    }
    assertTrue(value(metrics, "subspace_actor_messages_total", "actor=\"scheduler\",message=\"Submit\"") >= 1);

    assertEquals("toy-grid", status.get("sweep").asText());
    assertEquals(26, status.get("stages").size());
    assertFalse(status.get("finished").asBoolean());
    assertTrue(status.get("store").get("objects").asLong() >= 0 && status.get("store").has("bytes"),
        "the store's size: " + status.get("store"));

    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("data:image/png;base64,"), "images are inline");
    assertTrue(html.matches("(?s).*Store: \\d+ artifacts, [0-9.]+ MB.*"), "the report says how large the store is");
    for (String section : List.of("Results", "Predictive distributions", "Temperature x rank", "ESS chains",
        "Calibration")) {
      assertTrue(html.contains(section), section);
    }
    List<Path> pngs;
    try (Stream<Path> files = Files.list(out.resolve("report"))) {
      pngs = files.filter(p -> p.toString().endsWith(".png")).toList();
    }
    assertTrue(pngs.size() >= 12 + 1 + 2 * 6 + 1, "predictive, heat map, traces and autocorrelations, "
        + "calibration: " + pngs.size());
    for (Path png : pngs) {
      BufferedImage image = ImageIO.read(png.toFile());
      assertTrue(image.getWidth() >= 600 && image.getHeight() >= 300, png + " decodes at a readable size");
    }
  }

  /** The value of a sample whose name and label text match, or -1. */
  private static double value(String text, String name, String labels) {
    for (String line : text.lines().toList()) {
      Matcher m = SAMPLE.matcher(line);
      if (m.matches() && m.group(1).equals(name) && (m.group(2) == null ? "" : m.group(2)).contains(labels)) {
        return Double.parseDouble(m.group(3));
      }
    }
    return -1;
  }
}
