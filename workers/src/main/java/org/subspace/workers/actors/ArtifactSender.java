package org.subspace.workers.actors;

import akka.NotUsed;
import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.StashBuffer;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.japi.Pair;
import akka.stream.ActorAttributes;
import akka.stream.Materializer;
import akka.stream.javadsl.FileIO;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Framing;
import akka.stream.javadsl.FramingTruncation;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.subspace.protocol.Sha256;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.CorruptArtifactException;

/**
 * A node's artifact port: one TCP listener (TLS when Artery has it) that every
 * {@link ArtifactServer} of the node offers its artifacts through. Each offer is a one-time
 * random token; a receiver that connects and sends it gets the file's bytes, read by
 * {@link FileIO} on the stream blocking-I/O dispatcher and sent as fast as the receiver takes
 * them (TCP's flow control and Akka Streams' backpressure bound what is in flight). Unless the
 * store hashed the file since it last changed, the bytes are hashed on the way: if the file
 * turns out not to match its name, the last chunk is withheld, the store drops the file and the
 * receiver hears why. Tokens not claimed within the stall
 * timeout expire.
 */
public final class ArtifactSender extends AbstractBehavior<ArtifactSender.Command> {
  /** Bytes per chunk read from disk and written to the socket. */
  static final int CHUNK_BYTES = 1 << 20;
  private static final ByteString NEWLINE = ByteString.fromString("\n");

  /** Local messages only: this actor is never addressed from another node. */
  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Offer {@code fetch}'s artifact from {@code store} to {@code fetch}'s receiver. */
  public record Serve(ArtifactStore store, ArtifactStoreProtocol.Fetch fetch) implements Command {}

  private record Bound(Tcp.ServerBinding binding) implements Command {}

  private record BindFailed(Throwable error) implements Command {}

  /** A connection presented {@code token}: the offer it names, if it is still open. */
  private record Claim(String token, ActorRef<Optional<Offered>> replyTo) implements Command {}

  private record ExpireOffers() implements Command {}

  private record Offered(ArtifactStore store, ArtifactRef ref, ActorRef<ArtifactStoreProtocol.FetchResult> receiver,
      long offeredNanos) {}

  static Behavior<Command> create(TransferEndpoint endpoint, TransferSettings settings) {
    return Behaviors.setup(context -> Behaviors.withStash(1_000, stash -> Behaviors.withTimers(timers -> {
      Materializer materializer = Materializer.createMaterializer(context);
      ActorRef<Command> self = context.getSelf();
      Duration claimTimeout = settings.stallTimeout();
      CompletionStage<Tcp.ServerBinding> binding = endpoint.bind(context.getSystem())
          .to(Sink.foreach(connection -> connection.handleWith(
              serving(self, claimTimeout, context.getSystem().scheduler(), materializer), materializer)))
          .run(materializer);
      context.pipeToSelf(binding, (bound, error) -> error == null ? new Bound(bound) : new BindFailed(error));
      return binding(context, timers, stash, endpoint, settings);
    })));
  }

  /** Until the port is bound, offers wait. */
  private static Behavior<Command> binding(ActorContext<Command> context, TimerScheduler<Command> timers,
      StashBuffer<Command> stash, TransferEndpoint endpoint, TransferSettings settings) {
    return Behaviors.receive(Command.class)
        .onMessage(Bound.class, bound -> {
          context.getLog().info("serving artifacts on {}:{}{}", endpoint.advertisedHost(),
              bound.binding().localAddress().getPort(), endpoint.tls() ? " (TLS)" : "");
          timers.startTimerWithFixedDelay(new ExpireOffers(), settings.stallTimeout());
          return stash.unstashAll(new ArtifactSender(context, endpoint.advertisedHost(),
              bound.binding().localAddress().getPort(), settings.stallTimeout()));
        })
        .onMessage(BindFailed.class, failed -> {
          String reason = "cannot serve artifacts: binding " + endpoint.bindHost() + ":" + endpoint.port()
              + " failed (subspace.transfer.port): " + failed.error().getMessage();
          context.getLog().error(reason);
          return stash.unstashAll(unavailable(reason));
        })
        .onAnyMessage(message -> {
          stash.stash(message);
          return Behaviors.same();
        })
        .build();
  }

  /** A node that could not bind its port answers every request with why. */
  private static Behavior<Command> unavailable(String reason) {
    return Behaviors.receive(Command.class)
        .onMessage(Serve.class, serve -> {
          serve.fetch().replyTo().tell(new ArtifactStoreProtocol.ArtifactMissing(serve.fetch().ref(), reason));
          return Behaviors.same();
        })
        .onMessage(Claim.class, claim -> {
          claim.replyTo().tell(Optional.empty());
          return Behaviors.same();
        })
        .onAnyMessage(message -> Behaviors.same())
        .build();
  }

  private final String host;
  private final int port;
  private final Duration stallTimeout;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Offered> offers = new HashMap<>();

  private ArtifactSender(ActorContext<Command> context, String host, int port, Duration stallTimeout) {
    super(context);
    this.host = host;
    this.port = port;
    this.stallTimeout = stallTimeout;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Serve.class, this::onServe)
        .onMessage(Claim.class, claim -> {
          claim.replyTo().tell(Optional.ofNullable(offers.remove(claim.token())));
          return this;
        })
        .onMessage(ExpireOffers.class, expire -> {
          long oldest = System.nanoTime() - stallTimeout.toNanos();
          offers.values().removeIf(offered -> offered.offeredNanos() < oldest);
          return this;
        })
        .build();
  }

  private Behavior<Command> onServe(Serve serve) {
    ArtifactRef ref = serve.fetch().ref();
    if (!Files.isRegularFile(serve.store().objectFile(ref))) {
      serve.fetch().replyTo().tell(new ArtifactStoreProtocol.ArtifactMissing(ref, ref.shortName()
          + ": not in the store of " + getContext().getSystem().address()));
      return this;
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = HexFormat.of().formatHex(secret);
    offers.put(token, new Offered(serve.store(), ref, serve.fetch().replyTo(), System.nanoTime()));
    serve.fetch().replyTo().tell(new ArtifactStoreProtocol.Offer(ref, host, port, token));
    return this;
  }

  /**
   * One connection: its first line is a token; the answer is the offered artifact's bytes, or
   * a closed connection for a token that names no open offer.
   */
  private static Flow<ByteString, ByteString, NotUsed> serving(ActorRef<Command> sender, Duration claimTimeout,
      akka.actor.typed.Scheduler scheduler, Materializer materializer) {
    return Flow.of(ByteString.class)
        .via(Framing.delimiter(NEWLINE, 256, FramingTruncation.DISALLOW))
        .prefixAndTail(1)
        .flatMapConcat(firstAndRest -> {
          // The receiver writes nothing after its token; drain whatever comes so the connection stays open.
          firstAndRest.second().runWith(Sink.ignore(), materializer);
          String token = firstAndRest.first().isEmpty() ? "" : firstAndRest.first().get(0).utf8String();
          CompletionStage<Optional<Offered>> claimed =
              AskPattern.ask(sender, replyTo -> new Claim(token, replyTo), claimTimeout, scheduler);
          return Source.completionStage(claimed).flatMapConcat(offered -> offered
              .map(ArtifactSender::bytes)
              .orElseGet(() -> Source.failed(new IllegalStateException("no open offer for the token presented"))));
        })
        // A peer that sends no token, or stops reading, does not hold a connection for ever.
        .idleTimeout(claimTimeout);
  }

  /**
   * The offered file's bytes, hashed as they go unless this process hashed the file since it
   * last changed; whatever fails is reported to the receiver.
   */
  private static Source<ByteString, NotUsed> bytes(Offered offered) {
    ArtifactRef ref = offered.ref();
    Source<ByteString, ?> file = FileIO.fromPath(offered.store().objectFile(ref), CHUNK_BYTES);
    if (!offered.store().verifiedBefore(ref)) {
      file = file.statefulMap(() -> new HashCheck(ref), HashCheck::next, HashCheck::last)
          .filter(bytes -> !bytes.isEmpty());
    }
    return file
        .watchTermination((ignored, done) -> {
          done.whenComplete((ok, error) -> {
            if (error != null) {
              offered.receiver().tell(new ArtifactStoreProtocol.ArtifactMissing(ref, reason(offered, error)));
            }
          });
          return NotUsed.getInstance();
        })
        .withAttributes(ActorAttributes.dispatcher(ActorAttributes.IODispatcher().dispatcher()));
  }

  private static String reason(Offered offered, Throwable error) {
    ArtifactRef ref = offered.ref();
    if (!(error instanceof SourceChanged)) {
      return ref.shortName() + ": sending failed at the source: " + error.getMessage();
    }
    try {
      offered.store().verify(ref);
      return ref.shortName() + ": changed while it was sent";
    } catch (CorruptArtifactException e) {
      return e.getMessage();
    }
  }

  /** Delays every chunk by one, so that the last one goes out only once the whole file hashed to its name. */
  private static final class HashCheck {
    private final ArtifactRef ref;
    private final MessageDigest digest = Sha256.digest();
    private ByteString held = ByteString.emptyByteString();

    HashCheck(ArtifactRef ref) {
      this.ref = ref;
    }

    Pair<HashCheck, ByteString> next(ByteString bytes) {
      digest.update(bytes.toArrayUnsafe());
      ByteString previous = held;
      held = bytes;
      return Pair.create(this, previous);
    }

    Optional<ByteString> last() {
      if (!Sha256.hex(digest).equals(ref.sha256())) {
        throw new SourceChanged();
      }
      return Optional.of(held);
    }
  }

  private static final class SourceChanged extends RuntimeException {
    SourceChanged() {
      super("the file does not hash to its name", null, false, false);
    }
  }
}
