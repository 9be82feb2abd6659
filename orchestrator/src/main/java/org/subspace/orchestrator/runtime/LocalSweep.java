package org.subspace.orchestrator.runtime;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.workers.store.ArtifactStore;

/** Runs a sweep in this JVM: an actor system with local workers, until every stage is done or failed. */
public final class LocalSweep {
  private LocalSweep() {}

  /** The store, event log and results of a sweep live in its output folder. */
  public static ArtifactStore store(Path out) {
    return new ArtifactStore(out.resolve("store"));
  }

  public static SweepOutcome run(SweepSpec spec, StagePlan plan, Path out) throws InterruptedException {
    ArtifactStore store = store(out);
    CompletableFuture<SweepOutcome> outcome = new CompletableFuture<>();
    try (EventLog events = new EventLog(out.resolve("events.jsonl"));
        ResultsLog results = new ResultsLog(out.resolve("results.csv"))) {
      ActorSystem<Void> system = ActorSystem.create(
          LocalGuardian.create(spec, plan, store, events, results, outcome), "subspace", ConfigFactory.load());
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
