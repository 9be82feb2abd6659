package org.subspace.workers.actors;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subspace.protocol.stage.StageEvent;
import org.subspace.protocol.stage.StageKind;
import org.subspace.protocol.stage.WorkerProtocol;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.workers.stages.StageExecutor;
import org.subspace.workers.store.StorageFailureException;

/**
 * A thin actor around {@link StageExecutor} for one kind of stage: the node's trainer,
 * subspace builder, sampler and evaluator are four of these. The computation runs on the
 * blocking dispatcher, never on the actor's thread; progress and checkpoints go straight to
 * the requester, and while any attempt runs a heartbeat goes to its requester every
 * {@code RunStage.heartbeat}, so that an attempt whose epochs are slow keeps its lease. A failed
 * attempt is reported and then thrown, so the actor's supervisor restarts it with backoff; the
 * scheduler decides whether to retry. A cancelled attempt stops at its next boundary, is
 * reported as failed, and needs no restart.
 */
public final class StageWorker extends AbstractBehavior<StageWorker.Command> {
  public static final String BLOCKING_DISPATCHER = "subspace.blocking-dispatcher";
  /** The node's four stage workers are named after their roles. */
  static final Map<StageKind, String> ROLE_NAMES = Map.of(
      StageKind.TRAIN, "trainer",
      StageKind.SUBSPACE, "subspace-builder",
      StageKind.SAMPLE, "sampler",
      StageKind.EVALUATE, "evaluator");
  private static final Logger log = LoggerFactory.getLogger(StageWorker.class);

  public sealed interface Command {}

  /** Run an attempt its node has registered in the node's {@link RunningAttempts}. */
  public record Run(RunningAttempts.Attempt attempt) implements Command, NoSerializationVerificationNeeded {}

  private enum Beat implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private record Finished(WorkerProtocol.RunStage request, StageExecutor.Result result, double seconds,
      Throwable error) implements Command, NoSerializationVerificationNeeded {}

  /** Thrown after reporting a failed attempt, so that supervision restarts the actor. */
  static final class AttemptFailed extends RuntimeException {
    AttemptFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Thrown at an epoch or iteration boundary of a cancelled attempt; it unwinds the computation. */
  static final class AttemptCancelled extends CancellationException {
    AttemptCancelled(String key, int attempt) {
      super("attempt " + attempt + " of " + key + " was cancelled");
    }
  }

  public static Behavior<Command> create(StageKind kind, String workerId, StageExecutor executor, FaultInjector faults,
      RunningAttempts attempts) {
    return Behaviors.supervise(ActorMetrics.instrument(ROLE_NAMES.get(kind), Behaviors.<Command>setup(
            context -> Behaviors.withTimers(
                timers -> new StageWorker(context, timers, kind, workerId, executor, faults, attempts)))))
        .onFailure(AttemptFailed.class,
            // The failure is already reported to the scheduler and logged in one line (onFinished).
            SupervisorStrategy.restartWithBackoff(Duration.ofMillis(50), Duration.ofSeconds(2), 0.2)
                .withLoggingEnabled(false));
  }

  private final StageKind kind;
  private final String workerId;
  private final StageExecutor executor;
  private final FaultInjector faults;
  private final RunningAttempts attempts;
  private final TimerScheduler<Command> timers;
  private final Executor blocking;

  private StageWorker(ActorContext<Command> context, TimerScheduler<Command> timers, StageKind kind, String workerId,
      StageExecutor executor, FaultInjector faults, RunningAttempts attempts) {
    super(context);
    this.timers = timers;
    this.kind = kind;
    this.workerId = workerId;
    this.executor = executor;
    this.faults = faults;
    this.attempts = attempts;
    this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
    // A restart (after another attempt failed) drops the timers, not the attempts still running.
    attempts.ownedBy(context.getSelf()).stream().findFirst()
        .ifPresent(running -> beatEvery(running.request().heartbeat()));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Run.class, this::onRun)
        .onMessage(Finished.class, this::onFinished)
        .onMessageEquals(Beat.INSTANCE, this::onBeat)
        .build();
  }

  private void beatEvery(Duration interval) {
    timers.startTimerAtFixedRate(Beat.INSTANCE, Beat.INSTANCE, interval);
  }

  /**
   * Renews the lease of every attempt this worker runs, however slow its epochs, unless its
   * computation has passed no boundary for its hang timeout: that one is taken for hung (a
   * native call that does not return), and its lease is left to expire so that the stage runs
   * elsewhere. Its thread, and so its slot, stay taken: the node goes on reporting it.
   */
  private Behavior<Command> onBeat() {
    var owned = attempts.ownedBy(getContext().getSelf());
    if (owned.isEmpty()) {
      timers.cancel(Beat.INSTANCE);
    }
    for (RunningAttempts.Attempt running : owned) {
      WorkerProtocol.RunStage request = running.request();
      if (!running.hung() && running.sinceLastBoundary().compareTo(request.hangTimeout()) > 0) {
        running.markHung();
        log.warn("{} attempt {} of {} has passed no epoch or iteration for {} s (orchestrator.lease.hang-timeout): "
            + "taken for hung; its lease is no longer renewed", kind.label(), request.attempt(), request.stage().key(),
            running.sinceLastBoundary().toSeconds());
      }
      if (!running.hung()) {
        request.replyTo().tell(new StageEvent.Heartbeat(request.stage().key(), request.attempt()));
      }
    }
    return this;
  }

  private Behavior<Command> onRun(Run run) {
    RunningAttempts.Attempt attempt = run.attempt();
    WorkerProtocol.RunStage request = attempt.request();
    if (request.stage().kind() != kind) {
      attempts.end(attempt);
      throw new IllegalArgumentException(kind + " worker got a " + request.stage().kind() + " stage");
    }
    String key = request.stage().key();
    ActorRef<StageEvent> replyTo = request.replyTo();
    replyTo.tell(new StageEvent.Started(key, request.attempt(), workerId));
    if (!timers.isTimerActive(Beat.INSTANCE)) {
      beatEvery(request.heartbeat());
    }
    StageExecutor.Context reporter = new Reporter(attempt, replyTo, faults.strikeAt(key, request.attempt()), faults,
        new KeptCheckpoints(executor.store(), request.checkpoints().keep()));
    long started = System.nanoTime();
    ActorSystem<?> system = getContext().getSystem();
    CompletableFuture<StageExecutor.Result> work = CompletableFuture.supplyAsync(() -> {
      ArtifactRef resumeFrom = localInputs(request, system);
      // Fetching gigabytes is no hang: the clock starts when the computation does.
      attempt.passedBoundary();
      return executor.run(request.stage(), resumeFrom, request.checkpoints(), reporter);
    }, blocking);
    // On the compute thread, once it has unwound: the slot is free even if this actor system is gone.
    work.whenComplete((result, error) -> attempts.end(attempt));
    getContext().pipeToSelf(work, (result, error) ->
        new Finished(request, result, (System.nanoTime() - started) / 1e9, error));
    return this;
  }

  private Behavior<Command> onFinished(Finished finished) {
    WorkerProtocol.RunStage request = finished.request();
    String key = request.stage().key();
    if (finished.error() == null) {
      if (faults.dropsSucceeded(request.stage())) {
        log.warn("fault injection: {} attempt {} succeeded; not telling the scheduler", key, request.attempt());
        return this;
      }
      request.replyTo().tell(new StageEvent.Succeeded(key, request.attempt(), finished.result().outputs(),
          finished.result().metrics(), finished.seconds()));
      return this;
    }
    Throwable cause = finished.error().getCause() != null ? finished.error().getCause() : finished.error();
    if (cause instanceof AttemptCancelled cancelled) {
      log.info("{} after {} s", cancelled.getMessage(), String.format("%.2f", finished.seconds()));
      request.replyTo().tell(new StageEvent.Failed(key, request.attempt(), cancelled.getMessage(), false));
      return this;
    }
    Optional<StorageFailureException> failure = StorageFailureException.in(cause);
    String message = failure.map(Throwable::getMessage)
        .orElse(cause.getClass().getSimpleName() + ": " + cause.getMessage()).replaceAll("\\s*\\R\\s*", " ");
    if (cause instanceof OutOfMemoryError) {
      message += String.format(" (this node's JVM may use %d MB of heap; give it more with SUBSPACE_JAVA_OPTS=-Xmx...)",
          Runtime.getRuntime().maxMemory() >> 20);
    }
    request.replyTo().tell(new StageEvent.Failed(key, request.attempt(), message, failure.isPresent()));
    log.warn("{} attempt {} of {} failed: {}", kind.label(), request.attempt(), key, message);
    log.debug("the failure in full", cause);
    throw new AttemptFailed(kind.label() + " attempt " + request.attempt() + " of " + key + " failed", cause);
  }

  /**
   * Fetches the stage's inputs this node lacks from the sweep's store (on the compute thread,
   * before computing); returns the checkpoint to resume from, or null to start afresh when there
   * is none or it cannot be had.
   */
  private ArtifactRef localInputs(WorkerProtocol.RunStage request, ActorSystem<?> system) {
    ArtifactFetch fetch = ArtifactFetch.get(system);
    for (ArtifactRef input : request.stage().inputs()) {
      fetch.fetchInto(request.artifacts(), input, executor.store());
    }
    ArtifactRef checkpoint = request.resumeFrom();
    if (checkpoint == null) {
      return null;
    }
    try {
      fetch.fetchInto(request.artifacts(), checkpoint, executor.store());
      return checkpoint;
    } catch (RuntimeException e) {
      log.warn("checkpoint {} unavailable ({}); starting {} afresh", checkpoint.shortName(),
          e.getMessage(), request.stage().key());
      return null;
    }
  }

  /**
   * Runs on the compute thread: ActorRef.tell is thread-safe. A cancelled attempt stops at the
   * next boundary its computation reports (a fault point or progress, each epoch or iteration).
   */
  private record Reporter(RunningAttempts.Attempt running, ActorRef<StageEvent> replyTo, OptionalDouble strikeAt,
      FaultInjector faults, KeptCheckpoints kept) implements StageExecutor.Context {
    private String key() {
      return running.request().stage().key();
    }

    private int attempt() {
      return running.request().attempt();
    }

    @Override
    public int gpu() {
      return running.request().gpu();
    }

    @Override
    public boolean cancelled() {
      running.passedBoundary();
      return running.cancelled();
    }

    private void stopIfCancelled() {
      running.passedBoundary();
      if (running.cancelled()) {
        throw new AttemptCancelled(key(), attempt());
      }
    }

    @Override
    public void progress(long done, long total, String detail) {
      stopIfCancelled();
      replyTo.tell(new StageEvent.Progress(key(), attempt(), done, total, detail));
    }

    @Override
    public void checkpoint(ArtifactRef checkpoint, long position) {
      running.passedBoundary();
      replyTo.tell(new StageEvent.Checkpointed(key(), attempt(), checkpoint, position));
      kept.add(checkpoint);
    }

    @Override
    public void faultPoint(double fraction) {
      stopIfCancelled();
      if (fraction >= 0.5 && faults.killsWorker(running.request().stage())) {
        log.warn("fault injection: {} attempt {} kills this worker's JVM", key(), attempt());
        FaultInjector.killThisJvm();
      }
      if (fraction >= 0.5 && faults.hangs(running.request().stage())) {
        log.warn("fault injection: {} attempt {} hangs here for good", key(), attempt());
        FaultInjector.hangForever();
      }
      if (strikeAt.isPresent() && fraction >= strikeAt.getAsDouble()) {
        Throwable failure = faults.failure(key(), attempt(), fraction);
        if (failure instanceof Error error) {
          throw error;
        }
        throw (RuntimeException) failure;
      }
    }
  }
}
