package org.subspace.orchestrator.runtime;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.japi.function.Function;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.orchestrator.plan.PlannedStage;
import org.subspace.orchestrator.plan.StagePlan;
import org.subspace.protocol.stage.StageEvent;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.StageManifest;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.protocol.vocabulary.StageState;
import org.subspace.workers.actors.ActorMetrics;
import org.subspace.workers.actors.ArtifactFetch;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.StorageFailureException;

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

  /** Time to publish the status snapshot, if anything moved since the last one. */
  private enum PublishStatus implements Command, NoSerializationVerificationNeeded { TICK }

  /**
   * How often /status, the progress bar and {@code subspace status} may see a new snapshot: a
   * few times a second, however many events arrive (a snapshot copies every stage's line).
   */
  static final Duration STATUS_EVERY = Duration.ofMillis(250);
  private static final Duration STORE_EVERY = Duration.ofSeconds(30);

  /**
   * {@code sweepArtifacts} serves this sweep's store to workers; artifacts made on other nodes
   * are pulled into it before they count, so the store alone can resume the sweep.
   */
  public static Behavior<Command> create(SweepSpec.RuntimeSpec runtime, StagePlan plan, ArtifactStore store,
      SweepOutputs outputs, ActorRef<ArtifactStoreProtocol.Command> sweepArtifacts) {
    return ActorMetrics.instrument("sweep", Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      try {
        return new SweepSupervisor(context, timers, runtime, plan, store, outputs, sweepArtifacts);
      } catch (StorageFailureException e) {
        return stopOnStorageFailure(outputs.outcome(), e);
      }
    })));
  }

  /**
   * A full disk, a read-only file system or a failing one stops the sweep rather than failing
   * stage after stage (or, in a cluster, restarting the supervisor into the same wall); every
   * finished stage is already durable, so running the same command once the storage is mended
   * resumes it.
   */
  private static Behavior<Command> stopOnStorageFailure(CompletableFuture<SweepOutcome> outcome,
      StorageFailureException e) {
    outcome.completeExceptionally(e);
    return Behaviors.stopped();
  }

  private <T> Function<T, Behavior<Command>> stoppingOnStorageFailure(Function<T, Behavior<Command>> handler) {
    return message -> {
      try {
        return handler.apply(message);
      } catch (StorageFailureException e) {
        getContext().getLog().error("{}", e.getMessage());
        return stopOnStorageFailure(outcome, e);
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
  private final int checkpointsKept;
  /** Shown on /status for as long as the sweep runs. */
  private final List<String> warnings;
  private ArtifactStore.Usage storeUsage;
  private long storeCountedNanos;
  private final long startedMillis = System.currentTimeMillis();
  private final StatusBoard board;
  private final OutputReaders readers;
  private final StageTable stages;
  private final ActorRef<StageScheduler.Command> scheduler;

  private SweepSupervisor(ActorContext<Command> context, TimerScheduler<Command> timers,
      SweepSpec.RuntimeSpec runtime, StagePlan plan, ArtifactStore store, SweepOutputs outputs,
      ActorRef<ArtifactStoreProtocol.Command> sweepArtifacts) {
    super(context);
    this.plan = plan;
    this.store = store;
    this.events = outputs.events();
    this.results = outputs.results();
    this.outcome = outputs.outcome();
    this.status = outputs.status();
    this.workers = Math.max(1, runtime.workers());
    this.checkpointsKept = runtime.checkpoint().keep();
    this.warnings = OperatorWarnings.of(context.getSystem().settings().config());
    ActorRef<SchedulerProtocol.Report> reports = context.getSelf().narrow();
    this.scheduler = context.spawn(StageScheduler.create(runtime, reports, sweepArtifacts), "scheduler",
        ActorMetrics.MAILBOX);
    this.board = new StatusBoard(plan);
    this.readers = new OutputReaders(plan);
    this.stages = new StageTable(plan.stages().stream().map(PlannedStage::key).toList(), (before, after) -> {
      board.moved(before, after);
      if (!before.state().finished() && after.state().finished()) {
        forgetUnread(after.key());
      }
    });
    events.append("sweep-started", Map.of("stages", plan.stages().size(), "workers", runtime.workers(),
        "slots_per_worker", runtime.slotsPerWorker()));
    for (PlannedStage stage : plan.stages()) {
      store.manifest(stage.key()).ifPresent(manifest -> {
        stages.apply(stage.key(), r -> r.cached(manifest));
        events.append("stage-cached", Map.of("key", stage.key(), "kind", stage.kind().label()));
        Metrics.counter("subspace.stages.finished", "kind", stage.kind().label(), "state", StageState.CACHED.label())
            .increment();
        if (stage.kind() == StageKind.EVALUATE) {
          results.append(row(stage));
        }
      });
    }
    context.getLog().info("sweep: {} stages, {} already done", plan.stages().size(),
        stages.counts().getOrDefault(StageState.CACHED, 0));
    submitRunnable(plan.stages());
    publishStatus(false);
    timers.startTimerWithFixedDelay(PublishStatus.TICK, STATUS_EVERY);
    finishIfOver();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SchedulerProtocol.Forwarded.class, stoppingOnStorageFailure(this::pullThenHandle))
        .onMessage(Pulled.class, stoppingOnStorageFailure(this::onPulled))
        .onMessage(SchedulerProtocol.Retrying.class, stoppingOnStorageFailure(this::onRetrying))
        .onMessage(SchedulerProtocol.Reassigned.class, stoppingOnStorageFailure(this::onReassigned))
        .onMessage(SchedulerProtocol.GaveUp.class, stoppingOnStorageFailure(this::onGaveUp))
        .onMessage(SchedulerProtocol.StorageFailed.class, stoppingOnStorageFailure(this::onStorageFailed))
        .onMessageEquals(PublishStatus.TICK, this::onPublishStatus)
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
    ArtifactFetch fetch = ArtifactFetch.get(getContext().getSystem());
    CompletableFuture<?>[] pulls = missing.stream()
        .map(ref -> fetch.fetch(forwarded.workerArtifacts(), ref, store).toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    getContext().pipeToSelf(CompletableFuture.allOf(pulls), (ok, error) -> new Pulled(forwarded, error));
    return this;
  }

  private Behavior<Command> onPulled(Pulled pulled) {
    if (pulled.error() == null) {
      return onForwarded(pulled.forwarded());
    }
    Optional<StorageFailureException> failure = StorageFailureException.in(pulled.error());
    if (failure.isPresent()) {
      throw failure.get();
    }
    String key = pulled.forwarded().key();
    getContext().getLog().warn("could not pull the artifacts of {} from {}: {}", plan.get(key).description(),
        pulled.forwarded().workerId(), pulled.error().getMessage());
    StageRecord record = stages.get(key);
    boolean sameAttempt = record.state() == StageState.RUNNING
        && record.attempts() == pulled.forwarded().event().attempt();
    if (pulled.forwarded().event() instanceof StageEvent.Succeeded && sameAttempt) {
      // The outputs died with their worker: run the stage again (unless a later attempt already runs it).
      stages.apply(key, StageRecord::lost);
      events.append("stage-lost", Map.of("key", key, "kind", plan.get(key).kind().label(),
          "error", String.valueOf(pulled.error().getMessage())));
      submitRunnable(List.of(plan.get(key)));
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
    fields.put("heard", forwarded.heardMillis());
    if (event instanceof StageEvent.Started) {
      Metrics.counter("subspace.stage.attempts", "kind", stage.kind().label()).increment();
      stages.apply(event.key(), r -> r.started(event.attempt(), forwarded.workerId()));
      getContext().getLog().info("started {} (attempt {}) on {}", stage.description(), event.attempt(),
          forwarded.workerId());
      fields.put("scheduling_ms", forwarded.schedulingMillis());
      events.append("stage-started", fields);
    } else if (event instanceof StageEvent.Progress update) {
      getContext().getLog().info("  {}: {}/{} {}", stage.description(), update.done(), update.total(),
          update.detail());
      stages.apply(event.key(), r -> r.progressed(update.done() + "/" + update.total() + " " + update.detail()));
    } else if (event instanceof StageEvent.Checkpointed checkpointed) {
      store.writeCheckpoint(event.key(), checkpointed.checkpoint(), checkpointsKept);
      fields.put("position", checkpointed.position());
      fields.put("checkpoint", checkpointed.checkpoint().sha256());
      events.append("stage-checkpoint", fields);
    } else if (event instanceof StageEvent.Succeeded succeeded) {
      onSucceeded(stage, succeeded, fields);
    }
    return finishIfOver();
  }

  private void onSucceeded(PlannedStage stage, StageEvent.Succeeded succeeded, Map<String, Object> fields) {
    if (stages.succeeded(stage.key())) {
      return;
    }
    StageManifest manifest = new StageManifest(stage.key(), stage.kind(), succeeded.outputs(), succeeded.metrics(),
        succeeded.computeSeconds(), succeeded.attempt());
    store.writeManifest(manifest);
    stages.apply(stage.key(), r -> r.succeeded(manifest));
    fields.put("seconds", succeeded.computeSeconds());
    fields.put("outputs", succeeded.outputs().stream().map(ArtifactRef::sha256).toList());
    events.append("stage-done", fields);
    Metrics.counter("subspace.stages.finished", "kind", stage.kind().label(), "state", StageState.DONE.label())
        .increment();
    Metrics.timer("subspace.stage.duration", "kind", stage.kind().label())
        .record(Duration.ofNanos((long) (succeeded.computeSeconds() * 1e9)));
    getContext().getLog().info("done {} in {} s", stage.description(),
        String.format("%.2f", succeeded.computeSeconds()));
    if (stage.kind() == StageKind.EVALUATE) {
      results.append(row(stage));
    }
    submitRunnable(plan.downstream(stage.key()));
  }

  private Behavior<Command> onRetrying(SchedulerProtocol.Retrying retrying) {
    PlannedStage stage = plan.get(retrying.key());
    getContext().getLog().warn("{} attempt {} failed ({}); retrying in {} ms from position {}", stage.description(),
        retrying.failedAttempt(), retrying.error(), retrying.delayMillis(), retrying.resumePosition());
    stages.apply(retrying.key(), StageRecord::retrying);
    events.append("stage-retry", Map.of("key", retrying.key(), "kind", stage.kind().label(),
        "attempt", retrying.failedAttempt(), "error", retrying.error(), "delay_ms", retrying.delayMillis(),
        "resume_position", retrying.resumePosition()));
    return this;
  }

  /** An attempt was lost with its worker; the scheduler has queued the stage again. */
  private Behavior<Command> onReassigned(SchedulerProtocol.Reassigned reassigned) {
    PlannedStage stage = plan.get(reassigned.key());
    getContext().getLog().warn("{} attempt {} lost ({}); queued again from position {}", stage.description(),
        reassigned.lostAttempt(), reassigned.reason(), reassigned.resumePosition());
    events.append("stage-reassigned", Map.of("key", reassigned.key(), "kind", stage.kind().label(),
        "attempt", reassigned.lostAttempt(), "reason", reassigned.reason(),
        "resume_position", reassigned.resumePosition()));
    return this;
  }

  private Behavior<Command> onStorageFailed(SchedulerProtocol.StorageFailed failure) {
    throw new StorageFailureException(failure.error() + " (on worker " + failure.workerId() + ", running "
        + plan.get(failure.key()).description() + ")");
  }

  private Behavior<Command> onGaveUp(SchedulerProtocol.GaveUp gaveUp) {
    PlannedStage stage = plan.get(gaveUp.key());
    String error = gaveUp.lostWorkers() == 0 ? gaveUp.error()
        : "stage " + stage.description() + " lost its worker " + gaveUp.lostWorkers() + " times (last: "
            + gaveUp.error() + ")";
    getContext().getLog().error("{} failed after {} attempts: {}", stage.description(), gaveUp.attempts(), error);
    giveUp(stage, r -> r.failed(error), gaveUp.attempts());
    // Everything below a failed stage fails with it; the rest of the sweep goes on.
    String blocked = "upstream failed: " + stage.description() + ": " + error;
    for (PlannedStage below : plan.stages()) {
      if (stages.get(below.key()).state() == StageState.WAITING
          && below.upstream().stream().anyMatch(stages::gaveUp)) {
        giveUp(below, r -> r.blocked(blocked), 0);
      }
    }
    return finishIfOver();
  }

  /** Moves a stage to failed or blocked, with the event named for its new state: stage-failed or stage-blocked. */
  private void giveUp(PlannedStage stage, UnaryOperator<StageRecord> transition, int attempts) {
    StageRecord record = stages.apply(stage.key(), transition);
    Metrics.counter("subspace.stages.finished", "kind", stage.kind().label(), "state", record.state().label())
        .increment();
    events.append("stage-" + record.state().label(), Map.of("key", stage.key(), "kind", stage.kind().label(),
        "attempts", attempts, "error", record.error()));
    if (stage.kind() == StageKind.EVALUATE) {
      results.append(row(stage));
    }
  }

  /**
   * Submits those of {@code candidates} (in plan order) that wait (or whose outputs were lost) and
   * whose upstream stages are done. Only a stage that just succeeded or lost its outputs can make
   * a stage runnable, so the candidates are the stages below it, or it: the rest of the plan need
   * not be looked at.
   */
  private void submitRunnable(List<PlannedStage> candidates) {
    Map<String, StageManifest> manifests = stages.manifests();
    for (PlannedStage stage : candidates) {
      String key = stage.key();
      StageState state = stages.get(key).state();
      if (state != StageState.WAITING && state != StageState.LOST
          || !stage.upstream().stream().allMatch(stages::succeeded)) {
        continue;
      }
      ArtifactRef checkpoint = store.checkpoint(key).orElse(null);
      StageRecord record = stages.get(key);
      String lost = state == StageState.LOST
          ? "the outputs of attempt " + record.attempts() + " died with worker " + record.worker() : null;
      stages.apply(key, StageRecord::queued);
      events.append("stage-queued", Map.of("key", key, "kind", stage.kind().label(),
          "resume", checkpoint != null, "description", stage.description()));
      scheduler.tell(new SchedulerProtocol.Submit(stage.build().apply(manifests), checkpoint, lost));
    }
  }

  private Behavior<Command> finishIfOver() {
    if (!stages.finished()) {
      return this;
    }
    publishStatus(true);
    List<ResultRow> rows = new ArrayList<>();
    plan.ofKind(StageKind.EVALUATE).forEach(stage -> rows.add(row(stage)));
    results.rewrite(rows);
    events.append("sweep-done", Map.of("configurations", rows.size(),
        "failed", rows.stream().filter(r -> !r.ok()).count()));
    outcome.complete(new SweepOutcome(rows, Map.copyOf(stages.manifests())));
    return Behaviors.stopped();
  }

  private Behavior<Command> onPublishStatus() {
    if (board.dirty()) {
      publishStatus(false);
    }
    return this;
  }

  /** Publishes a snapshot of every stage's state for the status endpoint. */
  private void publishStatus(boolean finished) {
    long now = System.nanoTime();
    // Counting the store walks its files: often enough to watch it grow, rarely enough to cost nothing.
    if (storeUsage == null || finished || now - storeCountedNanos > STORE_EVERY.toNanos()) {
      storeUsage = store.usage();
      storeCountedNanos = now;
    }
    status.accept(board.snapshot(plan.name(), startedMillis, finished, workers, stages, storeUsage, warnings));
  }

  /**
   * Once no unfinished stage reads a stage's outputs, the scheduler need not remember which
   * worker made them (it places a stage by where its inputs are).
   */
  private void forgetUnread(String finishedKey) {
    List<String> made = new ArrayList<>();
    for (String key : readers.finished(plan.get(finishedKey))) {
      StageRecord record = stages.get(key);
      if (record.state() == StageState.DONE) {
        record.manifest().outputs().forEach(ref -> made.add(ref.sha256()));
      }
    }
    if (!made.isEmpty()) {
      scheduler.tell(new SchedulerProtocol.Forget(made));
    }
  }

  /** The results row of an evaluate stage, from its manifest and those of its chain and training. */
  private ResultRow row(PlannedStage evaluate) {
    PlannedStage sample = plan.ancestor(evaluate.key(), StageKind.SAMPLE);
    StageRecord evaluation = stages.get(evaluate.key());
    return ResultRow.of(evaluate.configuration(), evaluate.key(),
        stages.get(plan.ancestor(evaluate.key(), StageKind.TRAIN).key()).manifest(),
        sample == null ? null : stages.get(sample.key()).manifest(), evaluation.manifest(),
        Objects.requireNonNullElse(evaluation.error(), "not run"));
  }
}
