package org.subspace.orchestrator.runtime;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.Address;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import org.subspace.protocol.stage.StageKind;
import org.subspace.orchestrator.config.SweepSpec;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.stage.StageEvent;
import org.subspace.protocol.stage.WorkerProtocol;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.actors.ActorMetrics;
import org.subspace.workers.actors.WorkerNode;

/**
 * Hands runnable stages to workers that have a free slot of the right kind (a CPU slot, or
 * one of their GPU ids for the stage kinds configured to need a GPU), never more than a
 * worker's slots, preferring the worker that already holds most of the stage's input bytes. Retries a failed attempt after an exponential backoff from the stage's last
 * in-stage checkpoint, up to the attempt limit, then reports the stage as given up. Events of
 * attempts that are no longer current are ignored.
 */
public final class StageScheduler extends AbstractBehavior<StageScheduler.Command> {

  public interface Command {}

  private record WorkersChanged(Receptionist.Listing listing) implements Command, NoSerializationVerificationNeeded {}

  private record Registered(WorkerProtocol.Resources resources) implements Command, NoSerializationVerificationNeeded {}

  private record WrappedEvent(StageEvent event) implements Command, NoSerializationVerificationNeeded {}

  private record Retry(Job job) implements Command, NoSerializationVerificationNeeded {}

  private record NodeUnreachable(ClusterEvent.UnreachableMember event)
      implements Command, NoSerializationVerificationNeeded {}

  /** Time to refresh the gauges, if the queue or the slots changed since they were last set. */
  private enum PublishGauges implements Command, NoSerializationVerificationNeeded { TICK }

  /** How often the gauges may be refreshed: counting the queue is O(queue), so not on every event. */
  private static final Duration GAUGES_EVERY = Duration.ofMillis(250);

  /** One attempt of a stage, waiting for or holding a slot, queued at {@code queuedNanos}. */
  private record Job(Stage stage, int attempt, ArtifactRef resumeFrom, long resumePosition, long queuedNanos) {}

  /** A worker's capacity and what runs there now. */
  private static final class Worker {
    final WorkerProtocol.Resources resources;
    int busyCpu;
    /** When a slot of this worker last became free (or the worker joined). */
    long freedNanos = System.nanoTime();
    final Set<Integer> busyGpus = new HashSet<>();

    Worker(WorkerProtocol.Resources resources) {
      this.resources = resources;
    }

    /** A free slot for the job: -1 for a CPU slot, a GPU id, or null when none is free. */
    Integer freeSlot(boolean needsGpu) {
      if (!needsGpu) {
        return busyCpu < resources.cpuSlots() ? -1 : null;
      }
      return resources.gpuIds().stream().filter(g -> !busyGpus.contains(g)).findFirst().orElse(null);
    }
  }

  /** A dispatched attempt; {@code readyNanos}: when it was queued or a slot freed, whichever came later. */
  private record Running(Job job, Worker worker, int slot, long readyNanos) {}

  /** {@code sweepArtifacts} serves the sweep's store, where workers fetch inputs they lack. */
  public static Behavior<Command> create(SweepSpec.RuntimeSpec runtime, ActorRef<SchedulerProtocol.Report> reports,
      ActorRef<ArtifactStoreProtocol.Command> sweepArtifacts) {
    return ActorMetrics.instrument("scheduler", Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new StageScheduler(context, timers, runtime, reports, sweepArtifacts))));
  }

  private final TimerScheduler<Command> timers;
  private final SweepSpec.RuntimeSpec runtime;
  private final ActorRef<SchedulerProtocol.Report> reports;
  private final ActorRef<ArtifactStoreProtocol.Command> sweepArtifacts;
  private final ActorRef<StageEvent> eventAdapter;
  private final ActorRef<WorkerProtocol.Resources> registrationAdapter;
  private final Map<ActorRef<WorkerProtocol.Command>, Worker> workers = new LinkedHashMap<>();
  private final Deque<Job> queue = new ArrayDeque<>();
  private final Map<String, Running> running = new HashMap<>();
  /** Which worker made each artifact (by sha256): stages go where their inputs already are. */
  private final Map<String, Worker> madeBy = new HashMap<>();
  /** The newest checkpoint of each unfinished stage, with its position. */
  private final Map<String, StageEvent.Checkpointed> checkpoints = new HashMap<>();
  /** The queue or the slots changed since the gauges were last set. */
  private boolean gaugesDirty = true;

  private StageScheduler(ActorContext<Command> context, TimerScheduler<Command> timers,
      SweepSpec.RuntimeSpec runtime, ActorRef<SchedulerProtocol.Report> reports,
      ActorRef<ArtifactStoreProtocol.Command> sweepArtifacts) {
    super(context);
    this.timers = timers;
    this.runtime = runtime;
    this.reports = reports;
    this.sweepArtifacts = sweepArtifacts;
    this.eventAdapter = context.messageAdapter(StageEvent.class, WrappedEvent::new);
    this.registrationAdapter = context.messageAdapter(WorkerProtocol.Resources.class, Registered::new);
    ActorRef<Receptionist.Listing> listingAdapter =
        context.messageAdapter(Receptionist.Listing.class, WorkersChanged::new);
    context.getSystem().receptionist().tell(Receptionist.subscribe(WorkerNode.SERVICE_KEY, listingAdapter));
    if (context.getSystem().settings().config().getString("akka.actor.provider").equals("cluster")) {
      // Reassign on unreachability (about 2 s after a crash), not when the node is finally removed.
      Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.UnreachableMember.class, NodeUnreachable::new),
          ClusterEvent.UnreachableMember.class));
    }
    publishGauges();
    timers.startTimerWithFixedDelay(PublishGauges.TICK, GAUGES_EVERY);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SchedulerProtocol.Submit.class, this::onSubmit)
        .onMessage(WorkersChanged.class, this::onWorkersChanged)
        .onMessage(Registered.class, this::onRegistered)
        .onMessage(WrappedEvent.class, wrapped -> onEvent(wrapped.event()))
        .onMessage(Retry.class, this::onRetry)
        .onMessage(NodeUnreachable.class, this::onNodeUnreachable)
        .onMessage(SchedulerProtocol.Forget.class, this::onForget)
        .onMessageEquals(PublishGauges.TICK, this::onPublishGauges)
        .build();
  }

  private Behavior<Command> onSubmit(SchedulerProtocol.Submit submit) {
    Job job = new Job(submit.stage(), 1, submit.resumeFrom(), 0, System.nanoTime());
    // Evaluations jump the queue: each configuration finishes soon after its chain, so results
    // arrive steadily and the evaluations' working memory never piles up at the end.
    if (submit.stage().kind() == StageKind.EVALUATE) {
      queue.addFirst(job);
    } else {
      queue.addLast(job);
    }
    dispatch();
    return this;
  }

  private Behavior<Command> onWorkersChanged(WorkersChanged changed) {
    Set<ActorRef<WorkerProtocol.Command>> present = changed.listing().getServiceInstances(WorkerNode.SERVICE_KEY);
    for (ActorRef<WorkerProtocol.Command> worker : present) {
      if (!workers.containsKey(worker)) {
        worker.tell(new WorkerProtocol.DescribeResources(registrationAdapter));
      }
    }
    Iterator<Map.Entry<ActorRef<WorkerProtocol.Command>, Worker>> it = workers.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<ActorRef<WorkerProtocol.Command>, Worker> entry = it.next();
      if (!present.contains(entry.getKey())) {
        it.remove();
        requeueWorkOf(entry.getValue());
      }
    }
    dispatch();
    return this;
  }

  private Behavior<Command> onNodeUnreachable(NodeUnreachable unreachable) {
    Address address = unreachable.event().member().address();
    Iterator<Map.Entry<ActorRef<WorkerProtocol.Command>, Worker>> it = workers.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<ActorRef<WorkerProtocol.Command>, Worker> entry = it.next();
      if (entry.getKey().path().address().equals(address)) {
        getContext().getLog().warn("worker {} at {} is unreachable", entry.getValue().resources.workerId(), address);
        it.remove();
        requeueWorkOf(entry.getValue());
      }
    }
    dispatch();
    return this;
  }

  /** A worker that left takes its running attempts with it: they run again elsewhere. */
  private void requeueWorkOf(Worker gone) {
    madeBy.values().removeIf(worker -> worker == gone);
    running.values().removeIf(r -> {
      if (r.worker() != gone) {
        return false;
      }
      getContext().getLog().warn("worker {} left; re-queueing {}", gone.resources.workerId(), r.job().stage().key());
      queue.addFirst(nextAttempt(r.job()));
      return true;
    });
  }

  private Behavior<Command> onRegistered(Registered registered) {
    WorkerProtocol.Resources resources = registered.resources();
    workers.putIfAbsent(resources.worker(), new Worker(resources));
    getContext().getLog().info("worker {} registered: {} CPU slot(s), GPUs {}", resources.workerId(),
        resources.cpuSlots(), resources.gpuIds());
    dispatch();
    return this;
  }

  private void dispatch() {
    assign();
    gaugesDirty = true;
  }

  private Behavior<Command> onPublishGauges() {
    if (gaugesDirty) {
      publishGauges();
    }
    return this;
  }

  /** Gauges: stages queued and running per kind, slots busy and free per worker. */
  private void publishGauges() {
    gaugesDirty = false;
    int[] queued = new int[StageKind.values().length];
    int[] dispatched = new int[StageKind.values().length];
    queue.forEach(job -> queued[job.stage().kind().ordinal()]++);
    running.values().forEach(r -> dispatched[r.job().stage().kind().ordinal()]++);
    for (StageKind kind : StageKind.values()) {
      gauge("subspace.stages.queued", Tags.of("kind", kind.label())).set(queued[kind.ordinal()]);
      gauge("subspace.stages.running", Tags.of("kind", kind.label())).set(dispatched[kind.ordinal()]);
    }
    for (Worker worker : workers.values()) {
      String id = worker.resources.workerId();
      int slots = worker.resources.cpuSlots() + worker.resources.gpuIds().size();
      int busy = worker.busyCpu + worker.busyGpus.size();
      gauge("subspace.worker.slots", Tags.of("worker", id, "state", "busy")).set(busy);
      gauge("subspace.worker.slots", Tags.of("worker", id, "state", "free")).set(slots - busy);
    }
  }

  private static final Map<String, AtomicInteger> GAUGES = new ConcurrentHashMap<>();

  private static AtomicInteger gauge(String name, Tags tags) {
    return GAUGES.computeIfAbsent(name + tags, k -> Metrics.gauge(name, tags, new AtomicInteger()));
  }

  private void assign() {
    Iterator<Job> it = queue.iterator();
    // Once no slot of either kind is free, no job further down the queue can be placed: stop
    // there rather than walk a queue of thousands on every event.
    boolean cpuFree = workers.values().stream().anyMatch(w -> w.freeSlot(false) != null);
    boolean gpuFree = workers.values().stream().anyMatch(w -> w.freeSlot(true) != null);
    while ((cpuFree || gpuFree) && it.hasNext()) {
      Job job = it.next();
      boolean needsGpu = runtime.gpuStages().contains(job.stage().kind());
      if (!(needsGpu ? gpuFree : cpuFree)) {
        continue;
      }
      Worker chosen = null;
      long chosenLocalBytes = -1;
      for (Worker worker : workers.values()) {
        long localBytes = localInputBytes(job, worker);
        if (worker.freeSlot(needsGpu) != null && localBytes > chosenLocalBytes) {
          chosen = worker;
          chosenLocalBytes = localBytes;
        }
      }
      if (chosen != null) {
        int slot = chosen.freeSlot(needsGpu);
        if (slot < 0) {
          chosen.busyCpu++;
        } else {
          chosen.busyGpus.add(slot);
        }
        running.put(job.stage().key(), new Running(job, chosen, slot, Math.max(job.queuedNanos(), chosen.freedNanos)));
        chosen.resources.worker().tell(new WorkerProtocol.RunStage(job.stage(), job.attempt(), job.resumeFrom(),
            runtime.checkpoint(), slot, sweepArtifacts, eventAdapter));
        it.remove();
        if (needsGpu) {
          gpuFree = workers.values().stream().anyMatch(w -> w.freeSlot(true) != null);
        } else {
          cpuFree = workers.values().stream().anyMatch(w -> w.freeSlot(false) != null);
        }
      }
    }
  }

  /** Bytes of the job's inputs (and checkpoint) that {@code worker} made and so holds already. */
  private long localInputBytes(Job job, Worker worker) {
    List<ArtifactRef> needed = new ArrayList<>(job.stage().inputs());
    if (job.resumeFrom() != null) {
      needed.add(job.resumeFrom());
    }
    return needed.stream().filter(ref -> madeBy.get(ref.sha256()) == worker).mapToLong(ArtifactRef::bytes).sum();
  }

  private Behavior<Command> onEvent(StageEvent event) {
    Running current = running.get(event.key());
    if (current == null || current.job().attempt() != event.attempt()) {
      getContext().getLog().debug("ignoring {} from superseded attempt {}", event.getClass().getSimpleName(),
          event.attempt());
      return this;
    }
    String workerId = current.worker().resources.workerId();
    if (event instanceof StageEvent.Checkpointed checkpointed) {
      // A retry resumes from the newest checkpoint only: where the older one is no longer matters.
      dropCheckpoint(event.key());
      checkpoints.put(event.key(), checkpointed);
      madeBy.put(checkpointed.checkpoint().sha256(), current.worker());
    }
    if (event instanceof StageEvent.Succeeded succeeded) {
      release(event.key());
      dropCheckpoint(event.key());
      succeeded.outputs().forEach(ref -> madeBy.put(ref.sha256(), current.worker()));
    }
    if (event instanceof StageEvent.Failed failed && failed.diskFull()) {
      release(event.key());
      reports.tell(new SchedulerProtocol.DiskFull(event.key(), workerId, failed.error()));
    } else if (event instanceof StageEvent.Failed failed) {
      release(event.key());
      onAttemptFailed(current.job(), failed);
    } else {
      double schedulingMillis = event instanceof StageEvent.Started
          ? (System.nanoTime() - current.readyNanos()) / 1e6 : Double.NaN;
      reports.tell(new SchedulerProtocol.Forwarded(event, workerId, schedulingMillis,
          current.worker().resources.artifacts()));
    }
    dispatch();
    return this;
  }

  private void release(String key) {
    Running done = running.remove(key);
    if (done.slot() < 0) {
      done.worker().busyCpu--;
    } else {
      done.worker().busyGpus.remove(done.slot());
    }
    done.worker().freedNanos = System.nanoTime();
  }

  private void onAttemptFailed(Job job, StageEvent.Failed failed) {
    String key = job.stage().key();
    if (job.attempt() >= runtime.maxAttempts()) {
      dropCheckpoint(key);
      reports.tell(new SchedulerProtocol.GaveUp(key, job.attempt(), failed.error()));
      return;
    }
    Duration delay = runtime.retryBackoff().multipliedBy(1L << Math.min(job.attempt() - 1, 10));
    Job retry = nextAttempt(job);
    reports.tell(new SchedulerProtocol.Retrying(key, job.attempt(), failed.error(), delay.toMillis(),
        retry.resumePosition()));
    timers.startSingleTimer(key, new Retry(retry), delay);
  }

  /** Forgets a stage's newest checkpoint and where it was made: no attempt of the stage resumes from it. */
  private void dropCheckpoint(String key) {
    StageEvent.Checkpointed last = checkpoints.remove(key);
    if (last != null) {
      madeBy.remove(last.checkpoint().sha256());
    }
  }

  private Behavior<Command> onForget(SchedulerProtocol.Forget forget) {
    forget.artifacts().forEach(madeBy::remove);
    return this;
  }

  /** The next attempt of a stage, from its newest checkpoint (or where the failed attempt started). */
  private Job nextAttempt(Job job) {
    StageEvent.Checkpointed last = checkpoints.get(job.stage().key());
    return last == null
        ? new Job(job.stage(), job.attempt() + 1, job.resumeFrom(), job.resumePosition(), System.nanoTime())
        : new Job(job.stage(), job.attempt() + 1, last.checkpoint(), last.position(), System.nanoTime());
  }

  private Behavior<Command> onRetry(Retry retry) {
    Job job = retry.job();
    // Ready again only now that the backoff is over.
    queue.addFirst(new Job(job.stage(), job.attempt(), job.resumeFrom(), job.resumePosition(), System.nanoTime()));
    dispatch();
    return this;
  }
}
