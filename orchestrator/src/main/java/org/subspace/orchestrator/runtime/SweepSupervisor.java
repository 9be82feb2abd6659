package org.subspace.orchestrator.runtime;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.japi.function.Function;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.TreeMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.PlannedStage;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.protocol.stage.StageEvent;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.actors.ActorMetrics;
import org.subspace.workers.actors.ArtifactFetch;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.DiskFullException;

/**
 * Owns one sweep: walks the stage graph, submits every stage whose upstream stages are done
 * to its {@link StageScheduler}, makes results durable as they come (stage manifests and
 * checkpoint pointers in the store, the event log, results.csv), and decides when the sweep
 * is over. A stage whose manifest is already in the store is done and never runs again; a
 * stage that gives up fails the stages below it, and the rest of the sweep goes on.
 */
public final class SweepSupervisor extends AbstractBehavior<SweepSupervisor.Command> {

  public interface Command {}

  /** The artifacts a worker's event names are now in the sweep's store (or could not be had). */
  private record Pulled(SchedulerProtocol.Forwarded forwarded, Throwable error)
      implements Command, NoSerializationVerificationNeeded {}

  private static final Duration PULL_TIMEOUT = Duration.ofMinutes(2);

  /**
   * {@code sweepArtifacts} serves this sweep's store to workers; artifacts made on other nodes
   * are pulled into it before they count, so the store alone can resume the sweep.
   */
  public static Behavior<Command> create(SweepSpec.RuntimeSpec runtime, StagePlan plan, ArtifactStore store,
      SweepOutputs outputs, ActorRef<ArtifactStoreProtocol.Command> sweepArtifacts) {
    return ActorMetrics.instrument("sweep", Behaviors.setup(context -> {
      try {
        return new SweepSupervisor(context, runtime, plan, store, outputs, sweepArtifacts);
      } catch (DiskFullException e) {
        return stopOnDiskFull(outputs.outcome(), e);
      }
    }));
  }

  /**
   * A full disk stops the sweep rather than failing stage after stage (or, in a cluster,
   * restarting the supervisor into the same wall); every finished stage is already durable, so
   * running the same command after freeing space resumes it.
   */
  private static Behavior<Command> stopOnDiskFull(CompletableFuture<SweepOutcome> outcome, DiskFullException e) {
    outcome.completeExceptionally(e);
    return Behaviors.stopped();
  }

  private <T> Function<T, Behavior<Command>> stoppingOnDiskFull(Function<T, Behavior<Command>> handler) {
    return message -> {
      try {
        return handler.apply(message);
      } catch (DiskFullException e) {
        getContext().getLog().error("{}", e.getMessage());
        return stopOnDiskFull(outcome, e);
      }
    };
  }

  private final StagePlan plan;
  private final ArtifactStore store;
  private final EventLog events;
  private final ResultsLog results;
  private final CompletableFuture<SweepOutcome> outcome;
  private final Consumer<SweepStatus> status;
  private final int workers;
  private final long startedMillis = System.currentTimeMillis();
  /** Per stage, for the status: its state, attempts, worker and progress. */
  private final Map<String, String> states = new HashMap<>();
  private final Map<String, Integer> attempts = new HashMap<>();
  private final Map<String, String> workerOf = new HashMap<>();
  private final Map<String, String> progress = new HashMap<>();
  private final ActorRef<StageScheduler.Command> scheduler;
  private final Map<String, StageManifest> done = new LinkedHashMap<>();
  private final Map<String, String> failed = new HashMap<>();
  private final Set<String> submitted = new HashSet<>();

  private SweepSupervisor(ActorContext<Command> context, SweepSpec.RuntimeSpec runtime, StagePlan plan,
      ArtifactStore store, SweepOutputs outputs, ActorRef<ArtifactStoreProtocol.Command> sweepArtifacts) {
    super(context);
    this.plan = plan;
    this.store = store;
    this.events = outputs.events();
    this.results = outputs.results();
    this.outcome = outputs.outcome();
    this.status = outputs.status();
    this.workers = Math.max(1, runtime.workers());
    ActorRef<SchedulerProtocol.Report> reports = context.getSelf().narrow();
    this.scheduler = context.spawn(StageScheduler.create(runtime, reports, sweepArtifacts), "scheduler",
        ActorMetrics.MAILBOX);
    events.append("sweep-started", Map.of("stages", plan.stages().size(), "workers", runtime.workers(),
        "slots_per_worker", runtime.slotsPerWorker()));
    for (PlannedStage stage : plan.stages()) {
      store.manifest(stage.key()).ifPresent(manifest -> {
        done.put(stage.key(), manifest);
        events.append("stage-cached", Map.of("key", stage.key(), "kind", stage.kind().label()));
        states.put(stage.key(), "cached");
        Metrics.counter("subspace.stages.finished", "kind", stage.kind().label(), "state", "cached").increment();
        if (stage.kind() == StageKind.EVALUATE) {
          results.append(row(stage));
        }
      });
    }
    context.getLog().info("sweep: {} stages, {} already done", plan.stages().size(), done.size());
    submitRunnable();
    finishIfOver();
    publishStatus(false);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SchedulerProtocol.Forwarded.class, stoppingOnDiskFull(this::pullThenHandle))
        .onMessage(Pulled.class, stoppingOnDiskFull(this::onPulled))
        .onMessage(SchedulerProtocol.Retrying.class, stoppingOnDiskFull(this::onRetrying))
        .onMessage(SchedulerProtocol.GaveUp.class, stoppingOnDiskFull(this::onGaveUp))
        .onMessage(SchedulerProtocol.DiskFull.class, stoppingOnDiskFull(this::onDiskFull))
        .build();
  }

  /** Pulls the artifacts an event names from the worker that made them, unless they are here already. */
  private Behavior<Command> pullThenHandle(SchedulerProtocol.Forwarded forwarded) {
    List<ArtifactRef> named = new ArrayList<>();
    if (forwarded.event() instanceof StageEvent.Succeeded succeeded) {
      named.addAll(succeeded.outputs());
    } else if (forwarded.event() instanceof StageEvent.Checkpointed checkpointed) {
      named.add(checkpointed.checkpoint());
    }
    List<ArtifactRef> missing = named.stream().filter(ref -> !store.contains(ref)).toList();
    if (missing.isEmpty()) {
      return onForwarded(forwarded);
    }
    CompletableFuture<?>[] pulls = missing.stream()
        .map(ref -> ArtifactFetch.fetch(getContext().getSystem(), forwarded.workerArtifacts(), ref, PULL_TIMEOUT)
            .thenAccept(bytes -> store.putVerified(ref, bytes)).toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    getContext().pipeToSelf(CompletableFuture.allOf(pulls), (ok, error) -> new Pulled(forwarded, error));
    return this;
  }

  private Behavior<Command> onPulled(Pulled pulled) {
    if (pulled.error() == null) {
      return onForwarded(pulled.forwarded());
    }
    Optional<DiskFullException> diskFull = DiskFullException.in(pulled.error());
    if (diskFull.isPresent()) {
      throw diskFull.get();
    }
    String key = pulled.forwarded().key();
    getContext().getLog().warn("could not pull the artifacts of {} from {}: {}", plan.get(key).description(),
        pulled.forwarded().workerId(), pulled.error().getMessage());
    if (pulled.forwarded().event() instanceof StageEvent.Succeeded && !done.containsKey(key)) {
      // The outputs died with their worker: run the stage again.
      events.append("stage-lost", Map.of("key", key, "kind", plan.get(key).kind().label(),
          "error", String.valueOf(pulled.error().getMessage())));
      submitted.remove(key);
      submitRunnable();
    }
    return this;
  }

  private Behavior<Command> onForwarded(SchedulerProtocol.Forwarded forwarded) {
    StageEvent event = forwarded.event();
    PlannedStage stage = plan.get(event.key());
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("key", event.key());
    fields.put("kind", stage.kind().label());
    fields.put("attempt", event.attempt());
    fields.put("worker", forwarded.workerId());
    if (event instanceof StageEvent.Started) {
      Metrics.counter("subspace.stage.attempts", "kind", stage.kind().label()).increment();
      states.put(event.key(), "running");
      attempts.put(event.key(), event.attempt());
      workerOf.put(event.key(), forwarded.workerId());
      getContext().getLog().info("started {} (attempt {}) on {}", stage.description(), event.attempt(),
          forwarded.workerId());
      fields.put("scheduling_ms", forwarded.schedulingMillis());
      events.append("stage-started", fields);
    } else if (event instanceof StageEvent.Progress update) {
      getContext().getLog().info("  {}: {}/{} {}", stage.description(), update.done(), update.total(),
          update.detail());
      progress.put(event.key(), update.done() + "/" + update.total() + " " + update.detail());
    } else if (event instanceof StageEvent.Checkpointed checkpointed) {
      store.writeCheckpoint(event.key(), checkpointed.checkpoint());
      fields.put("position", checkpointed.position());
      fields.put("checkpoint", checkpointed.checkpoint().sha256());
      events.append("stage-checkpoint", fields);
    } else if (event instanceof StageEvent.Succeeded succeeded) {
      onSucceeded(stage, succeeded, fields);
    }
    return finishIfOver();
  }

  private void onSucceeded(PlannedStage stage, StageEvent.Succeeded succeeded, Map<String, Object> fields) {
    if (done.containsKey(stage.key())) {
      return;
    }
    StageManifest manifest = new StageManifest(stage.key(), stage.kind(), succeeded.outputs(), succeeded.metrics(),
        succeeded.computeSeconds(), succeeded.attempt());
    store.writeManifest(manifest);
    done.put(stage.key(), manifest);
    states.put(stage.key(), "done");
    progress.remove(stage.key());
    fields.put("seconds", succeeded.computeSeconds());
    fields.put("outputs", succeeded.outputs().stream().map(ArtifactRef::sha256).toList());
    events.append("stage-done", fields);
    Metrics.counter("subspace.stages.finished", "kind", stage.kind().label(), "state", "done").increment();
    Metrics.timer("subspace.stage.duration", "kind", stage.kind().label())
        .record(Duration.ofNanos((long) (succeeded.computeSeconds() * 1e9)));
    getContext().getLog().info("done {} in {} s", stage.description(),
        String.format("%.2f", succeeded.computeSeconds()));
    if (stage.kind() == StageKind.EVALUATE) {
      results.append(row(stage));
    }
    submitRunnable();
  }

  private Behavior<Command> onRetrying(SchedulerProtocol.Retrying retrying) {
    PlannedStage stage = plan.get(retrying.key());
    getContext().getLog().warn("{} attempt {} failed ({}); retrying in {} ms from position {}", stage.description(),
        retrying.failedAttempt(), retrying.error(), retrying.delayMillis(), retrying.resumePosition());
    events.append("stage-retry", Map.of("key", retrying.key(), "kind", stage.kind().label(),
        "attempt", retrying.failedAttempt(), "error", retrying.error(), "delay_ms", retrying.delayMillis(),
        "resume_position", retrying.resumePosition()));
    return this;
  }

  private Behavior<Command> onDiskFull(SchedulerProtocol.DiskFull diskFull) {
    throw new DiskFullException(diskFull.error() + " (on worker " + diskFull.workerId() + ", running "
        + plan.get(diskFull.key()).description() + ")");
  }

  private Behavior<Command> onGaveUp(SchedulerProtocol.GaveUp gaveUp) {
    PlannedStage stage = plan.get(gaveUp.key());
    getContext().getLog().error("{} failed after {} attempts: {}", stage.description(), gaveUp.attempts(),
        gaveUp.error());
    fail(stage, gaveUp.error(), "stage-failed", gaveUp.attempts());
    // Everything below a failed stage fails with it; the rest of the sweep goes on.
    for (PlannedStage below : plan.stages()) {
      if (!failed.containsKey(below.key()) && below.upstream().stream().anyMatch(failed::containsKey)) {
        fail(below, "upstream failed: " + stage.description() + ": " + gaveUp.error(), "stage-blocked", 0);
      }
    }
    return finishIfOver();
  }

  private void fail(PlannedStage stage, String error, String event, int attempts) {
    failed.put(stage.key(), error);
    states.put(stage.key(), event.equals("stage-failed") ? "failed" : "blocked");
    Metrics.counter("subspace.stages.finished", "kind", stage.kind().label(), "state",
        event.equals("stage-failed") ? "failed" : "blocked").increment();
    events.append(event, Map.of("key", stage.key(), "kind", stage.kind().label(), "attempts", attempts,
        "error", error));
    if (stage.kind() == StageKind.EVALUATE) {
      results.append(row(stage));
    }
  }

  private void submitRunnable() {
    for (PlannedStage stage : plan.stages()) {
      String key = stage.key();
      if (done.containsKey(key) || failed.containsKey(key) || submitted.contains(key)
          || !done.keySet().containsAll(stage.upstream())) {
        continue;
      }
      ArtifactRef checkpoint = store.checkpoint(key).orElse(null);
      submitted.add(key);
      states.put(key, "queued");
      events.append("stage-queued", Map.of("key", key, "kind", stage.kind().label(),
          "resume", checkpoint != null, "description", stage.description()));
      scheduler.tell(new SchedulerProtocol.Submit(stage.build().apply(done), checkpoint));
    }
  }

  private Behavior<Command> finishIfOver() {
    boolean over = plan.stages().stream().allMatch(s -> done.containsKey(s.key()) || failed.containsKey(s.key()));
    publishStatus(over);
    if (!over) {
      return this;
    }
    List<ResultRow> rows = new ArrayList<>();
    plan.ofKind(StageKind.EVALUATE).forEach(stage -> rows.add(row(stage)));
    results.rewrite(rows);
    events.append("sweep-done", Map.of("configurations", rows.size(),
        "failed", rows.stream().filter(r -> !r.ok()).count()));
    outcome.complete(new SweepOutcome(rows, Map.copyOf(done)));
    return Behaviors.stopped();
  }

  /** Publishes a snapshot of every stage's state for the status endpoint. */
  private void publishStatus(boolean finished) {
    Map<String, Integer> counts = new TreeMap<>();
    Map<StageKind, List<Double>> seconds = new EnumMap<>(StageKind.class);
    List<SweepStatus.Stage> stages = new ArrayList<>();
    for (PlannedStage stage : plan.stages()) {
      String state = states.getOrDefault(stage.key(), "waiting");
      counts.merge(state, 1, Integer::sum);
      StageManifest manifest = done.get(stage.key());
      if (manifest != null) {
        seconds.computeIfAbsent(stage.kind(), k -> new ArrayList<>()).add(manifest.computeSeconds());
      }
      stages.add(new SweepStatus.Stage(stage.key(), stage.kind().label(), stage.description(), state,
          attempts.getOrDefault(stage.key(), 0), workerOf.get(stage.key()),
          manifest == null ? Double.NaN : manifest.computeSeconds(), progress.get(stage.key())));
    }
    double remaining = 0;
    for (PlannedStage stage : plan.stages()) {
      if (!done.containsKey(stage.key()) && !failed.containsKey(stage.key())) {
        List<Double> kindSeconds = seconds.get(stage.kind());
        remaining += kindSeconds == null ? Double.NaN
            : kindSeconds.stream().mapToDouble(Double::doubleValue).sorted().toArray()[kindSeconds.size() / 2];
      }
    }
    status.accept(new SweepStatus(plan.name(), startedMillis, System.currentTimeMillis(), finished, workers, counts,
        remaining / workers, stages));
  }

  /** The results row of an evaluate stage, from its manifest and those of its chain and training. */
  private ResultRow row(PlannedStage evaluate) {
    PlannedStage sample = plan.ancestor(evaluate.key(), StageKind.SAMPLE);
    return ResultRow.of(evaluate.configuration(), evaluate.key(),
        done.get(plan.ancestor(evaluate.key(), StageKind.TRAIN).key()),
        sample == null ? null : done.get(sample.key()), done.get(evaluate.key()),
        failed.getOrDefault(evaluate.key(), "not run"));
  }
}
