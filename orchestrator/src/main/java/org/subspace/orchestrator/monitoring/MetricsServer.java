package org.subspace.orchestrator.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.subspace.orchestrator.runtime.SweepStatus;
import org.subspace.protocol.BadInputException;

/**
 * This node's HTTP endpoint (loopback by default): {@code GET /metrics} in the Prometheus text
 * format from Micrometer's global registry, and {@code GET /status}, the sweep's live status as
 * JSON (on the orchestrator node; 404 elsewhere or before the sweep starts).
 */
public final class MetricsServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final PrometheusMeterRegistry registry;

  private MetricsServer(HttpServer server, PrometheusMeterRegistry registry) {
    this.server = server;
    this.registry = registry;
  }

  /** Serves on {@code host:port} (port 0: any free port) until closed. */
  public static MetricsServer start(String host, int port, Supplier<SweepStatus> status) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (BindException e) {
      throw new BadInputException("orchestrator.metrics.port: port " + port + " on " + host + " is in use");
    } catch (IOException e) {
      throw new BadInputException("orchestrator.metrics: cannot serve on " + host + ":" + port + ": " + e.getMessage());
    }
    new JvmMemoryMetrics().bindTo(registry);
    Metrics.addRegistry(registry);
    server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape()));
    server.createContext("/status", exchange -> {
      SweepStatus snapshot = status.get();
      if (snapshot == null) {
        respond(exchange, 404, "application/json", "{\"error\":\"no sweep is running on this node\"}");
      } else {
        respond(exchange, 200, "application/json", JSON.writeValueAsString(snapshot));
      }
    });
    server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "metrics-http");
      thread.setDaemon(true);
      return thread;
    }));
    server.start();
    return new MetricsServer(server, registry);
  }

  /** Fails with a {@link BadInputException} now, before anything is written, if the port cannot be had. */
  public static void checkAvailable(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new BadInputException("orchestrator.metrics.port: port " + port + " on " + host + " is in use ("
          + e.getMessage() + ")");
    }
  }

  public String url() {
    InetSocketAddress address = server.getAddress();
    return "http://" + address.getHostString() + ":" + address.getPort();
  }

  private static void respond(HttpExchange exchange, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    Metrics.removeRegistry(registry);
    registry.close();
  }
}
