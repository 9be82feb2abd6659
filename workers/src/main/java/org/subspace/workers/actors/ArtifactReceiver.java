package org.subspace.workers.actors;

import akka.Done;
import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.japi.Pair;
import akka.stream.ActorAttributes;
import akka.stream.KillSwitches;
import akka.stream.Materializer;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.scaladsl.TcpIdleTimeoutException;
import akka.util.ByteString;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.CorruptArtifactException;

/**
 * Receives one artifact for {@link ArtifactFetch}: asks the server, connects to the byte
 * stream it offers, writes the bytes to the store's incoming file as they come (on the stream
 * blocking-I/O dispatcher) and commits once whole and matching its sha256. It runs on the
 * blocking dispatcher (a commit forces the file to disk) and stops when done or failed; it
 * fails when no offer comes, or no byte moves, for the stall timeout.
 */
final class ArtifactReceiver extends AbstractBehavior<Object> {
  /** Prometheus: subspace_artifact_transferred_bytes_total (bytes received from other nodes' stores). */
  private static final Counter TRANSFERRED_BYTES = Metrics.counter("subspace.artifact.transferred.bytes");

  private record Stalled() implements NoSerializationVerificationNeeded {}

  /** The byte stream ended: whole ({@code error} null) or not. */
  private record Received(Throwable error) implements NoSerializationVerificationNeeded {}

  /** A broken stream, once the server had its moment to say why. */
  private record Broken(RuntimeException error) implements NoSerializationVerificationNeeded {}

  /**
   * A server that breaks a stream on purpose (a file that no longer matches its name) says why
   * in a message, which may arrive just after the connection dropped.
   */
  private static final Duration REASON_GRACE = Duration.ofSeconds(1);

  static Behavior<Object> create(ActorRef<ArtifactStoreProtocol.Command> server, ArtifactRef ref, ArtifactStore store,
      TransferEndpoint endpoint, TransferSettings settings, CompletableFuture<ArtifactRef> result) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new ArtifactReceiver(context, timers, server, ref, store.receive(ref), endpoint, settings, result)));
  }

  private final TimerScheduler<Object> timers;
  private final ActorRef<ArtifactStoreProtocol.Command> server;
  private final ArtifactRef ref;
  private final ArtifactStore.Writer writer;
  private final TransferEndpoint endpoint;
  private final TransferSettings settings;
  private final CompletableFuture<ArtifactRef> result;
  /** Written by the stream, read here once it ended. */
  private final AtomicLong received = new AtomicLong();
  /** The byte stream while it runs; null before the offer and once it has ended. */
  private UniqueKillSwitch stream;
  /** Why the transfer failed while its stream still ran: reported once the stream has stopped writing. */
  private RuntimeException failure;

  private ArtifactReceiver(ActorContext<Object> context, TimerScheduler<Object> timers,
      ActorRef<ArtifactStoreProtocol.Command> server, ArtifactRef ref, ArtifactStore.Writer writer,
      TransferEndpoint endpoint, TransferSettings settings, CompletableFuture<ArtifactRef> result) {
    super(context);
    this.timers = timers;
    this.server = server;
    this.ref = ref;
    this.writer = writer;
    this.endpoint = endpoint;
    this.settings = settings;
    this.result = result;
    timers.startSingleTimer(new Stalled(), settings.stallTimeout());
    server.tell(new ArtifactStoreProtocol.Fetch(ref, context.getSelf().narrow()));
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(ArtifactStoreProtocol.Offer.class, this::onOffer)
        .onMessage(Received.class, this::onReceived)
        .onMessage(Broken.class, broken -> fail(broken.error()))
        .onMessage(ArtifactStoreProtocol.ArtifactMissing.class,
            missing -> fail(new CorruptArtifactException(missing.reason())))
        .onMessage(Stalled.class, stalled -> fail(new CorruptArtifactException(String.format(
            "%s: %s offered no transfer within %d s", ref.shortName(), server.path().address(),
            settings.stallTimeout().toSeconds()))))
        .onSignal(PostStop.class, stop -> {
          if (stream != null) {
            stream.abort(new CorruptArtifactException(ref.shortName() + ": transfer stopped"));
          }
          writer.close();
          result.completeExceptionally(new CorruptArtifactException(ref.shortName() + ": transfer stopped"));
          return this;
        })
        .build();
  }

  private Behavior<Object> onOffer(ArtifactStoreProtocol.Offer offer) {
    timers.cancel(new Stalled());
    Pair<Pair<CompletableFuture<Optional<ByteString>>, UniqueKillSwitch>, CompletionStage<Done>> running =
        Source.single(ByteString.fromString(offer.token() + "\n"))
            // The connection's sending side stays open until the bytes are in: closing it could close both.
            .concatMat(Source.<ByteString>maybe(), Keep.right())
            .via(endpoint.connect(getContext().getSystem(), offer.host(), offer.port(), settings.stallTimeout()))
            .viaMat(KillSwitches.single(), Keep.both())
            .toMat(Sink.foreach(bytes -> {
              // A server that sends more than the artifact's size is wrong or hostile: stop before the disk fills.
              if (received.get() + bytes.size() > ref.bytes()) {
                throw new CorruptArtifactException(String.format("%s: the server sent more than its %d bytes",
                    ref.shortName(), ref.bytes()));
              }
              writer.write(ByteBuffer.wrap(bytes.toArrayUnsafe()));
              received.addAndGet(bytes.size());
              TRANSFERRED_BYTES.increment(bytes.size());
            }), Keep.both())
            .withAttributes(ActorAttributes.dispatcher(ActorAttributes.IODispatcher().dispatcher()))
            .run(Materializer.matFromSystem(getContext().getSystem()));
    stream = running.first().second();
    CompletableFuture<Optional<ByteString>> sending = running.first().first();
    running.second().whenComplete((done, error) -> sending.complete(Optional.empty()));
    getContext().pipeToSelf(running.second(), (done, error) -> new Received(error));
    return this;
  }

  private Behavior<Object> onReceived(Received end) {
    stream = null;
    if (failure != null) {
      return fail(failure);
    }
    if (end.error() != null) {
      String why = end.error() instanceof TcpIdleTimeoutException
          ? "stalled (no progress for " + settings.stallTimeout().toSeconds() + " s"
          : "failed (" + end.error().getMessage();
      timers.startSingleTimer(new Broken(new CorruptArtifactException(String.format(
          "%s: the transfer from %s %s after %d of %d bytes)", ref.shortName(), server.path().address(), why,
          received.get(), ref.bytes()))), REASON_GRACE);
      return this;
    }
    try {
      result.complete(writer.commit());
      return Behaviors.stopped();
    } catch (RuntimeException e) {
      // A full disk, or bytes that are not what was asked for: the transfer is over either way.
      return fail(e);
    }
  }

  /**
   * Ends the transfer with {@code error}, the incoming file deleted before anyone hears of it;
   * a stream still writing is stopped first, and the transfer ends when it has.
   */
  private Behavior<Object> fail(RuntimeException error) {
    if (stream != null) {
      if (failure == null) {
        failure = error;
        stream.abort(error);
      }
      return this;
    }
    writer.close();
    result.completeExceptionally(error);
    return Behaviors.stopped();
  }
}
