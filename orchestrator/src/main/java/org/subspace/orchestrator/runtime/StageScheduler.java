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
import org.subspace.workers.actors.CertifiedRoles;
import org.subspace.workers.actors.WorkerNode;

/**
 * Hands runnable stages to workers that have a free slot of the right kind (a CPU slot, or
 * one of their GPU ids for the stage kinds configured to need a GPU), never more than a
 * worker's slots, preferring the worker that already holds most of the stage's input bytes.
 * Retries a failed attempt after an exponential backoff from the stage's last in-stage
 * checkpoint, up to the attempt limit, then reports the stage as given up.
 *
 * <p>Every attempt holds a lease: the worker must acknowledge it within the ack timeout and
 * then be heard from (progress, checkpoints, heartbeats) within every lease timeout. An attempt
 * whose lease expires, or whose worker leaves, is lost: it counts against the attempt limit and
 * the stage is queued again at once. An attempt this scheduler no longer wants but that may
 * still run (its lease expired, or a worker that rejoins reports it) keeps its slot busy and is
 * cancelled until a report of the worker or the attempt's own end shows it is gone. Events of
 * attempts that are no longer current change nothing else.
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
  private static final Set<String> WORKER_ONLY = Set.of(CertifiedRoles.WORKER);

  private enum CheckLeases implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** One attempt of a stage, waiting for or holding a slot, queued at {@code queuedNanos}. */
  private record Job(Stage stage, int attempt, ArtifactRef resumeFrom, long resumePosition, long queuedNanos) {}

  /**
   * An attempt this scheduler does not want that may still run on a worker, holding the slot
   * {@code slot} there. A report answering a request later than {@code knownAsOf} that does not
   * list it shows it is gone.
   */
  private record Unwanted(String key, int attempt, int slot, ActorRef<StageEvent> replyTo, long knownAsOf) {
    String id() {
      return key + "/" + attempt + "@" + replyTo.path();
    }
  }

  /** A worker's capacity and what runs there now. */
  private static final class Worker {
    WorkerProtocol.Resources resources;
    int busyCpu;
    /** When a slot of this worker last became free (or the worker joined). */
    long freedNanos = System.nanoTime();
    final Set<Integer> busyGpus = new HashSet<>();
    /** Unwanted attempts by {@link Unwanted#id()}: their slots are counted busy. */
    final Map<String, Unwanted> unwanted = new LinkedHashMap<>();

    Worker(WorkerProtocol.Resources resources) {
      this.resources = resources;
    }

    void occupy(int slot) {
      if (slot < 0) {
        busyCpu++;
      } else {
        busyGpus.add(slot);
      }
    }

    void free(int slot) {
      if (slot < 0) {
        busyCpu--;
      } else {
        busyGpus.remove(slot);
      }
      freedNanos = System.nanoTime();
    }

    /** A free slot for the job: -1 for a CPU slot, a GPU id, or null when none is free. */
    Integer freeSlot(boolean needsGpu) {
      if (!needsGpu) {
        return busyCpu < resources.cpuSlots() ? -1 : null;
      }
      return resources.gpuIds().stream().filter(g -> !busyGpus.contains(g)).findFirst().orElse(null);
    }
  }

  /**
   * A dispatched attempt; {@code readyNanos}: when it was queued or a slot freed, whichever came
   * later; {@code leaseNanos}: when its lease expires unless the worker is heard from;
   * {@code knownAsOf}: the last resources request sent before it was dispatched.
   */
  private record Running(Job job, Worker worker, int slot, long readyNanos, boolean acked, long leaseNanos,
      long knownAsOf) {
    Running heard(boolean ack, Duration lease) {
      return new Running(job, worker, slot, readyNanos, acked || ack, System.nanoTime() + lease.toNanos(), knownAsOf);
    }
  }

  /** What a stage's attempts came to so far: the latest attempt's number, and how many were lost with their worker. */
  private static final class Tally {
    int lastAttempt;
    int lost;
  }

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
  private final Map<String, Tally> tallies = new HashMap<>();
  /** Listed workers on nodes whose certificate does not make them workers (warned about once). */
  private final Set<ActorRef<WorkerProtocol.Command>> refused = new HashSet<>();
  private final CertifiedRoles certified;
  /** The workers the Receptionist lists now; only they may register. */
  private Set<ActorRef<WorkerProtocol.Command>> listed = Set.of();
  /** The number of the last resources request sent to any worker. */
  private long requests;
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
    this.certified = CertifiedRoles.get(context.getSystem());
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
    timers.startTimerAtFixedRate(CheckLeases.INSTANCE, CheckLeases.INSTANCE, checkInterval(runtime.lease()));
  }

  /** A quarter of the shorter timeout, and at most a second: slots held by cancelled attempts free soon. */
  private static Duration checkInterval(SweepSpec.LeaseSpec lease) {
    Duration check = lease.ackTimeout().compareTo(lease.timeout()) < 0 ? lease.ackTimeout() : lease.timeout();
    check = check.dividedBy(4);
    if (check.compareTo(Duration.ofSeconds(1)) > 0) {
      return Duration.ofSeconds(1);
    }
    return check.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : check;
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
        .onMessageEquals(CheckLeases.INSTANCE, this::onCheckLeases)
        .build();
  }

  private Behavior<Command> onSubmit(SchedulerProtocol.Submit submit) {
    String key = submit.stage().key();
    Tally tally = tallies.computeIfAbsent(key, k -> new Tally());
    if (submit.lost() != null) {
      // Its last attempt succeeded, but the outputs died with their worker.
      tally.lost++;
      if (tally.lastAttempt >= runtime.maxAttempts()) {
        reports.tell(new SchedulerProtocol.GaveUp(key, tally.lastAttempt, submit.lost(), tally.lost));
        return this;
      }
    }
    Job job = new Job(submit.stage(), ++tally.lastAttempt, submit.resumeFrom(), 0, System.nanoTime());
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
    listed = Set.copyOf(present);
    for (ActorRef<WorkerProtocol.Command> worker : present) {
      if (!workers.containsKey(worker)) {
        describe(worker);
      }
    }
    Iterator<Map.Entry<ActorRef<WorkerProtocol.Command>, Worker>> it = workers.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<ActorRef<WorkerProtocol.Command>, Worker> entry = it.next();
      if (!present.contains(entry.getKey())) {
        it.remove();
        requeueWorkOf(entry.getValue(), "worker " + entry.getValue().resources.workerId() + " left");
      }
    }
    dispatch();
    return this;
  }

  private void describe(ActorRef<WorkerProtocol.Command> worker) {
    worker.tell(new WorkerProtocol.DescribeResources(registrationAdapter, ++requests));
  }

  private Behavior<Command> onNodeUnreachable(NodeUnreachable unreachable) {
    Address address = unreachable.event().member().address();
    Iterator<Map.Entry<ActorRef<WorkerProtocol.Command>, Worker>> it = workers.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<ActorRef<WorkerProtocol.Command>, Worker> entry = it.next();
      if (entry.getKey().path().address().equals(address)) {
        getContext().getLog().warn("worker {} at {} is unreachable", entry.getValue().resources.workerId(), address);
        it.remove();
        requeueWorkOf(entry.getValue(), "worker " + entry.getValue().resources.workerId() + " is unreachable");
      }
    }
    dispatch();
    return this;
  }

  /** A worker that left takes its running attempts with it: they are lost, and run again elsewhere. */
  private void requeueWorkOf(Worker gone, String reason) {
    madeBy.values().removeIf(worker -> worker == gone);
    List<Running> lost = running.values().stream().filter(r -> r.worker() == gone).toList();
    for (Running r : lost) {
      running.remove(r.job().stage().key());
      getContext().getLog().warn("{}; re-queueing {}", reason, r.job().stage().key());
      lose(r.job(), reason);
    }
  }

  /**
   * An attempt was lost with its worker: it counts as an attempt, and the stage is queued again
   * at once (no backoff: nothing says it would fail again) or, at the attempt limit, given up.
   */
  private void lose(Job job, String reason) {
    String key = job.stage().key();
    Tally tally = tallies.computeIfAbsent(key, k -> new Tally());
    tally.lost++;
    if (job.attempt() >= runtime.maxAttempts()) {
      checkpoints.remove(key);
      reports.tell(new SchedulerProtocol.GaveUp(key, job.attempt(), reason, tally.lost));
      return;
    }
    Job next = nextAttempt(job);
    queue.addFirst(next);
    reports.tell(new SchedulerProtocol.Reassigned(key, job.attempt(), reason, next.resumePosition()));
  }

  private Behavior<Command> onRegistered(Registered registered) {
    WorkerProtocol.Resources resources = registered.resources();
    if (!listed.contains(resources.worker())) {
      // It left the listing after it answered: it would take no work anyway.
      return this;
    }
    if (!certified.mayAnswer(resources.worker(), WORKER_ONLY)
        || !certified.mayAnswer(resources.artifacts(), WORKER_ONLY)) {
      if (refused.add(resources.worker())) {
        getContext().getLog().warn("refusing worker {} at {}", resources.workerId(),
            certified.refusal(resources.worker(), WORKER_ONLY));
      }
      return this;
    }
    Worker worker = workers.get(resources.worker());
    if (worker == null) {
      worker = new Worker(resources);
      workers.put(resources.worker(), worker);
      getContext().getLog().info("worker {} registered: {} CPU slot(s), GPUs {}{}", resources.workerId(),
          resources.cpuSlots(), resources.gpuIds(),
          resources.running().isEmpty() ? "" : ", still running " + resources.running().size() + " attempt(s)");
    }
    worker.resources = resources;
    reconcile(worker, resources);
    dispatch();
    return this;
  }

  /**
   * Matches what a worker says it runs with what this scheduler wants there: a wanted attempt
   * is alive (its lease renews); any other keeps its slot busy and is cancelled; an unwanted
   * attempt the report no longer lists has ended, and its slot is free.
   */
  private void reconcile(Worker worker, WorkerProtocol.Resources report) {
    Set<String> listedIds = new HashSet<>();
    for (WorkerProtocol.RunningAttempt attempt : report.running()) {
      Unwanted candidate = new Unwanted(attempt.key(), attempt.attempt(), attempt.gpu(), attempt.replyTo(),
          report.request());
      listedIds.add(candidate.id());
      Running current = running.get(attempt.key());
      if (current != null && current.worker() == worker && current.job().attempt() == attempt.attempt()
          && attempt.replyTo().equals(eventAdapter)) {
        running.put(attempt.key(), current.heard(true, runtime.lease().timeout()));
      } else if (!worker.unwanted.containsKey(candidate.id())) {
        getContext().getLog().warn("worker {} still runs {} attempt {}, no longer wanted: cancelling it",
            report.workerId(), attempt.key(), attempt.attempt());
        worker.unwanted.put(candidate.id(), candidate);
        worker.occupy(attempt.gpu());
        cancel(worker, candidate);
      }
    }
    worker.unwanted.values().removeIf(u -> {
      if (listedIds.contains(u.id()) || report.request() <= u.knownAsOf()) {
        return false;
      }
      worker.free(u.slot());
      return true;
    });
  }

  private void cancel(Worker worker, Unwanted attempt) {
    worker.resources.worker().tell(new WorkerProtocol.CancelStage(attempt.key(), attempt.attempt(), attempt.replyTo()));
  }

  /**
   * Expires the leases that ran out, asks again after attempts that may still hold slots, and
   * asks listed workers that are not registered (back after being unreachable) what they run.
   */
  private Behavior<Command> onCheckLeases() {
    long now = System.nanoTime();
    List<Running> expired = running.values().stream().filter(r -> now - r.leaseNanos() > 0).toList();
    for (Running r : expired) {
      expire(r);
    }
    for (Worker worker : workers.values()) {
      if (!worker.unwanted.isEmpty()) {
        worker.unwanted.values().forEach(u -> cancel(worker, u));
        describe(worker.resources.worker());
      }
    }
    for (ActorRef<WorkerProtocol.Command> ref : listed) {
      if (!workers.containsKey(ref)) {
        describe(ref);
      }
    }
    dispatch();
    return this;
  }

  /** The attempt's lease ran out: it is lost; where it may still run, it keeps its slot until it is gone. */
  private void expire(Running r) {
    String key = r.job().stage().key();
    String workerId = r.worker().resources.workerId();
    String reason = r.acked()
        ? "lease expired: nothing from worker " + workerId + " for " + seconds(runtime.lease().timeout())
        : "no acknowledgement from worker " + workerId + " within " + seconds(runtime.lease().ackTimeout());
    getContext().getLog().warn("{} attempt {}: {}", key, r.job().attempt(), reason);
    running.remove(key);
    Unwanted unwanted = new Unwanted(key, r.job().attempt(), r.slot(), eventAdapter, r.knownAsOf());
    r.worker().unwanted.put(unwanted.id(), unwanted);
    cancel(r.worker(), unwanted);
    describe(r.worker().resources.worker());
    lose(r.job(), reason);
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
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
        chosen.occupy(slot);
        long now = System.nanoTime();
        running.put(job.stage().key(), new Running(job, chosen, slot, Math.max(job.queuedNanos(), chosen.freedNanos),
            false, now + runtime.lease().ackTimeout().toNanos(), requests));
        chosen.resources.worker().tell(new WorkerProtocol.RunStage(job.stage(), job.attempt(), job.resumeFrom(),
            runtime.checkpoint(), slot, sweepArtifacts, eventAdapter, runtime.lease().heartbeat(),
            runtime.lease().hangTimeout()));
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
    Running before = running.get(event.key());
    if (before == null || before.job().attempt() != event.attempt()) {
      onUnwantedEvent(event);
      return this;
    }
    Running current = before.heard(event instanceof StageEvent.Started, runtime.lease().timeout());
    running.put(event.key(), current);
    if (event instanceof StageEvent.Heartbeat) {
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
    if (event instanceof StageEvent.Failed failed && failed.storageFailed()) {
      release(event.key());
      reports.tell(new SchedulerProtocol.StorageFailed(event.key(), workerId, failed.error()));
    } else if (event instanceof StageEvent.Failed failed) {
      release(event.key());
      onAttemptFailed(current.job(), failed);
    } else {
      double schedulingMillis = event instanceof StageEvent.Started
          ? (System.nanoTime() - current.readyNanos()) / 1e6 : Double.NaN;
      reports.tell(new SchedulerProtocol.Forwarded(event, workerId, schedulingMillis, System.currentTimeMillis(),
          current.worker().resources.artifacts()));
    }
    dispatch();
    return this;
  }

  /**
   * An event of an attempt that is no longer current: if the attempt ended, its slot is free;
   * if it still runs, it is told again to stop (the cancel may have been lost).
   */
  private void onUnwantedEvent(StageEvent event) {
    String id = event.key() + "/" + event.attempt() + "@" + eventAdapter.path();
    for (Worker worker : workers.values()) {
      Unwanted unwanted = worker.unwanted.get(id);
      if (unwanted == null) {
        continue;
      }
      if (event instanceof StageEvent.Succeeded || event instanceof StageEvent.Failed) {
        worker.unwanted.remove(id);
        worker.free(unwanted.slot());
        dispatch();
      } else {
        cancel(worker, unwanted);
      }
      return;
    }
    getContext().getLog().debug("ignoring {} from superseded attempt {}", event.getClass().getSimpleName(),
        event.attempt());
  }

  private void release(String key) {
    Running done = running.remove(key);
    done.worker().free(done.slot());
  }

  private void onAttemptFailed(Job job, StageEvent.Failed failed) {
    String key = job.stage().key();
    if (job.attempt() >= runtime.maxAttempts()) {
      dropCheckpoint(key);
      reports.tell(new SchedulerProtocol.GaveUp(key, job.attempt(), failed.error(), 0));
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
    tallies.computeIfAbsent(job.stage().key(), k -> new Tally()).lastAttempt = job.attempt() + 1;
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
