package org.subspace.orchestrator.runtime;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subspace.orchestrator.monitoring.MetricsServer;
import org.subspace.orchestrator.monitoring.ProgressBar;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.workers.store.ArtifactStore;

/**
 * Runs a sweep from this JVM until every stage is done or failed: with local workers, or as the
 * orchestrator node of a cluster whose workers join it.
 */
public final class LocalSweep {
  private static final Logger log = LoggerFactory.getLogger(LocalSweep.class);

  private LocalSweep() {}

  /** The store, event log and results of a sweep live in its output folder. */
  public static ArtifactStore store(Path out) {
    return new ArtifactStore(out.resolve("store"));
  }

  /** The root behavior of the node that owns the sweep. */
  @FunctionalInterface
  public interface Guardian {
    Behavior<Void> create(SweepSpec spec, StagePlan plan, ArtifactStore store, SweepOutputs outputs);
  }

  public static SweepOutcome run(SweepSpec spec, StagePlan plan, Path out) throws InterruptedException {
    return run(spec, plan, out, LocalGuardian::create, ConfigFactory.load(), false);
  }

  /**
   * Runs the sweep with the given root behavior and actor-system configuration (the cluster
   * mode's); with {@code orchestrator.metrics.enabled}, serves /metrics and /status meanwhile.
   */
  public static SweepOutcome run(SweepSpec spec, StagePlan plan, Path out, Guardian guardian, Config config,
      boolean progressBar) throws InterruptedException {
    ArtifactStore store = store(out);
    CompletableFuture<SweepOutcome> outcome = new CompletableFuture<>();
    AtomicReference<SweepStatus> status = new AtomicReference<>();
    SweepSpec.MetricsSpec metrics = spec.runtime().metrics();
    try (EventLog events = new EventLog(out.resolve("events.jsonl"));
        ResultsLog results = new ResultsLog(out.resolve("results.csv"));
        MetricsServer server = metrics.enabled() ? MetricsServer.start(metrics.host(), metrics.port(), status::get)
            : null;
        ProgressBar bar = progressBar ? ProgressBar.start(status::get, System.err) : null) {
      if (server != null) {
        log.info("metrics: {}/metrics  status: {}/status", server.url(), server.url());
      }
      ActorSystem<Void> system = ActorSystem.create(
          guardian.create(spec, plan, store, new SweepOutputs(events, results, status::set, outcome)), "subspace",
          config);
      try {
        return outcome.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("the sweep supervisor failed", e.getCause());
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
      }
    }
  }
}
