package org.subspace.workers.actors;

import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.subspace.protocol.stage.StageEvent;
import org.subspace.protocol.stage.WorkerProtocol;

/**
 * The stage attempts a worker process is running: each from the moment its node accepts the
 * {@code RunStage} until its computation has unwound (outputs written, or the exception that
 * ended it through every try-with-resources that scopes its native memory). The node reports
 * them when asked for its resources, so a scheduler never books their slots twice, and marks
 * them cancelled; the computation sees that at its next epoch or iteration boundary. One
 * registry outlives the actor systems of a worker that leaves its cluster and joins again: the
 * rejoined node still reports, and can cancel, what the previous one started.
 */
public final class RunningAttempts {

  /**
   * One running attempt; the computation polls {@link #cancelled()} at its boundaries and
   * stamps each one ({@link #passedBoundary()}), which is how a hung one is told from a slow one.
   */
  public static final class Attempt {
    private final WorkerProtocol.RunStage request;
    private final ActorRef<StageWorker.Command> owner;
    private volatile boolean cancelled;
    private volatile long lastBoundaryNanos = System.nanoTime();
    /** Set once by its stage worker, which then no longer renews its lease. */
    private volatile boolean hung;

    private Attempt(WorkerProtocol.RunStage request, ActorRef<StageWorker.Command> owner) {
      this.request = request;
      this.owner = owner;
    }

    public WorkerProtocol.RunStage request() {
      return request;
    }

    /** The stage worker that runs it (which sends its heartbeats). */
    ActorRef<StageWorker.Command> owner() {
      return owner;
    }

    public boolean cancelled() {
      return cancelled;
    }

    /** Its computation passed an epoch or iteration boundary (or fetched its inputs) just now. */
    public void passedBoundary() {
      lastBoundaryNanos = System.nanoTime();
    }

    /** How long since its computation last passed a boundary. */
    Duration sinceLastBoundary() {
      return Duration.ofNanos(System.nanoTime() - lastBoundaryNanos);
    }

    boolean hung() {
      return hung;
    }

    /** Taken for hung: cancelled too, should it ever come back. */
    void markHung() {
      hung = true;
      cancelled = true;
    }

    private String id() {
      return RunningAttempts.id(request.stage().key(), request.attempt(), request.replyTo());
    }
  }

  private final Map<String, Attempt> running = new ConcurrentHashMap<>();

  /** An attempt is named by its stage, its number and the scheduler it reports to. */
  private static String id(String key, int attempt, ActorRef<StageEvent> replyTo) {
    return key + "/" + attempt + "@" + replyTo.path();
  }

  /** Registers an attempt that {@code owner} is about to run. */
  public Attempt start(WorkerProtocol.RunStage request, ActorRef<StageWorker.Command> owner) {
    Attempt attempt = new Attempt(request, owner);
    running.put(attempt.id(), attempt);
    return attempt;
  }

  /** Its computation has ended, however it ended. */
  public void end(Attempt attempt) {
    running.remove(attempt.id(), attempt);
  }

  /** Marks the attempt cancelled; false if it is not running here (finished, or never received). */
  public boolean cancel(String key, int attempt, ActorRef<StageEvent> replyTo) {
    Attempt running = this.running.get(id(key, attempt, replyTo));
    if (running == null) {
      return false;
    }
    running.cancelled = true;
    return true;
  }

  /** What runs now, for a {@link WorkerProtocol.Resources} report. */
  public List<WorkerProtocol.RunningAttempt> report() {
    return running.values().stream()
        .map(a -> new WorkerProtocol.RunningAttempt(a.request.stage().key(), a.request.attempt(), a.request.gpu(),
            a.request.replyTo()))
        .sorted(Comparator.comparing(WorkerProtocol.RunningAttempt::key))
        .toList();
  }

  /** The attempts {@code owner} runs. */
  List<Attempt> ownedBy(ActorRef<StageWorker.Command> owner) {
    return running.values().stream().filter(a -> a.owner.equals(owner)).toList();
  }
}
