package org.subspace.workers.actors;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.CompletableFuture;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.CorruptArtifactException;

/**
 * Receives one artifact for {@link ArtifactFetch}: asks the server, grants its sender a window
 * of chunks and tops it up at half, writes each chunk to the store's incoming file in order,
 * and commits once whole and matching its sha256. It runs on the blocking dispatcher (it
 * writes to disk) and stops when done, failed, or when nothing arrives for the stall timeout.
 * It hears the sender and its own stall timer: hence a behavior of Object.
 */
final class ArtifactReceiver extends AbstractBehavior<Object> {
  /** Prometheus: subspace_artifact_transferred_bytes_total (bytes received from other nodes' stores). */
  private static final Counter TRANSFERRED_BYTES = Metrics.counter("subspace.artifact.transferred.bytes");

  private record Stalled() implements NoSerializationVerificationNeeded {}

  static Behavior<Object> create(ActorRef<ArtifactStoreProtocol.Command> server, ArtifactRef ref, ArtifactStore store,
      TransferSettings settings, CompletableFuture<ArtifactRef> result) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new ArtifactReceiver(context, timers, server, ref, store.receive(ref), settings, result)));
  }

  private final TimerScheduler<Object> timers;
  private final ActorRef<ArtifactStoreProtocol.Command> server;
  private final ArtifactRef ref;
  private final ArtifactStore.Writer writer;
  private final TransferSettings settings;
  private final CompletableFuture<ArtifactRef> result;
  private final long chunks;
  private ActorRef<ArtifactStoreProtocol.Transfer> sender;
  private long next;
  private long requested;

  private ArtifactReceiver(ActorContext<Object> context, TimerScheduler<Object> timers,
      ActorRef<ArtifactStoreProtocol.Command> server, ArtifactRef ref, ArtifactStore.Writer writer,
      TransferSettings settings, CompletableFuture<ArtifactRef> result) {
    super(context);
    this.timers = timers;
    this.server = server;
    this.ref = ref;
    this.writer = writer;
    this.settings = settings;
    this.result = result;
    this.chunks = ArtifactStoreProtocol.chunks(ref);
    progressed();
    server.tell(new ArtifactStoreProtocol.Fetch(ref, context.getSelf().narrow()));
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(ArtifactStoreProtocol.Offer.class, this::onOffer)
        .onMessage(ArtifactStoreProtocol.ArtifactChunk.class, this::onChunk)
        .onMessage(ArtifactStoreProtocol.ArtifactMissing.class,
            missing -> fail(new CorruptArtifactException(missing.reason())))
        .onMessage(Stalled.class, stalled -> fail(new CorruptArtifactException(String.format(
            "%s: the transfer from %s stalled (no progress for %d s after %d of %d MiB)", ref.shortName(),
            server.path().address(), settings.stallTimeout().toSeconds(), next, chunks))))
        .onSignal(PostStop.class, stop -> {
          writer.close();
          result.completeExceptionally(new CorruptArtifactException(ref.shortName() + ": transfer stopped"));
          return this;
        })
        .build();
  }

  private Behavior<Object> onOffer(ArtifactStoreProtocol.Offer offer) {
    progressed();
    sender = offer.sender();
    requested = Math.min(chunks, settings.window());
    sender.tell(new ArtifactStoreProtocol.Demand((int) requested));
    return this;
  }

  private Behavior<Object> onChunk(ArtifactStoreProtocol.ArtifactChunk chunk) {
    if (!chunk.sha256().equals(ref.sha256()) || chunk.index() != next || next >= requested) {
      return fail(new CorruptArtifactException(ref.shortName() + ": chunk " + chunk.index() + " arrived where "
          + next + " was expected"));
    }
    progressed();
    next++;
    TRANSFERRED_BYTES.increment(chunk.bytes().length);
    try {
      writer.write(chunk.bytes());
      if (next == chunks) {
        result.complete(writer.commit());
        return Behaviors.stopped();
      }
    } catch (RuntimeException e) {
      // A full disk, or bytes that are not what was asked for: the transfer is over either way.
      return fail(e);
    }
    // Top the window up once half of it has arrived: one credit message per half window.
    long inFlight = requested - next;
    int more = (int) Math.min(chunks - requested, settings.window() - inFlight);
    if (inFlight <= settings.window() / 2 && more > 0) {
      requested += more;
      sender.tell(new ArtifactStoreProtocol.Demand(more));
    }
    return this;
  }

  private void progressed() {
    timers.startSingleTimer(new Stalled(), settings.stallTimeout());
  }

  private Behavior<Object> fail(RuntimeException error) {
    result.completeExceptionally(error);
    if (sender != null) {
      sender.tell(new ArtifactStoreProtocol.Cancel(String.valueOf(error.getMessage())));
    }
    return Behaviors.stopped();
  }
}
