package org.subspace.workers.actors;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.PostStop;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.CorruptArtifactException;
import org.subspace.workers.store.DiskFullException;

/**
 * Pulls artifacts from other nodes' {@link ArtifactServer}s into a local store, one node-wide
 * extension. Each transfer is a short-lived receiver under {@code /system/artifact-fetch/}
 * (the path Artery's large-message lane is configured for) on the blocking dispatcher: it grants
 * the sender a window of chunks, writes each to the store's incoming file as it arrives, and
 * commits the artifact once its sha256 matches. A transfer fails when it stalls, not after a
 * fixed time; a failed pull is tried again up to {@code subspace.transfer.tries} times.
 */
public final class ArtifactFetch implements Extension {
  /** Prometheus: subspace_artifact_transferred_bytes_total (bytes received from other nodes' stores). */
  private static final Counter TRANSFERRED_BYTES = Metrics.counter("subspace.artifact.transferred.bytes");

  private static final ExtensionId<ArtifactFetch> ID = new ExtensionId<>() {
    @Override
    public ArtifactFetch createExtension(ActorSystem<?> system) {
      return new ArtifactFetch(system);
    }
  };

  public static ArtifactFetch get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private record Start(ActorRef<ArtifactStoreProtocol.Command> server, ArtifactRef ref, ArtifactStore store,
      CompletableFuture<ArtifactRef> result) implements NoSerializationVerificationNeeded {}

  private final TransferSettings settings;
  private final ActorRef<Start> receivers;

  private ArtifactFetch(ActorSystem<?> system) {
    this.settings = TransferSettings.of(system);
    this.receivers = system.systemActorOf(parent(settings), "artifact-fetch", Props.empty());
  }

  public TransferSettings settings() {
    return settings;
  }

  /**
   * Brings {@code ref} from {@code server} into {@code store} unless it is there already,
   * trying up to the configured number of times; completes with the stored artifact.
   */
  public CompletionStage<ArtifactRef> fetch(ActorRef<ArtifactStoreProtocol.Command> server, ArtifactRef ref,
      ArtifactStore store) {
    return attempt(server, ref, store, 1);
  }

  /** {@link #fetch}, waiting for it: for compute threads, never for an actor's thread. */
  public void fetchInto(ActorRef<ArtifactStoreProtocol.Command> server, ArtifactRef ref, ArtifactStore store) {
    try {
      fetch(server, ref, store).toCompletableFuture().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  private CompletionStage<ArtifactRef> attempt(ActorRef<ArtifactStoreProtocol.Command> server, ArtifactRef ref,
      ArtifactStore store, int tryNumber) {
    if (store.contains(ref)) {
      return CompletableFuture.completedFuture(ref);
    }
    CompletableFuture<ArtifactRef> result = new CompletableFuture<>();
    receivers.tell(new Start(server, ref, store, result));
    return result.handle((done, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(done);
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (DiskFullException.in(cause).isPresent() || tryNumber >= settings.tries()) {
        return CompletableFuture.<ArtifactRef>failedFuture(tryNumber == 1 ? cause : new CorruptArtifactException(
            "cannot fetch " + ref.shortName() + " from " + server.path().address() + " after " + tryNumber
                + " tries: " + cause.getMessage()));
      }
      return attempt(server, ref, store, tryNumber + 1);
    }).thenCompose(stage -> stage);
  }

  /** Spawns one receiver per transfer, on the blocking dispatcher: receivers write to disk. */
  private static Behavior<Start> parent(TransferSettings settings) {
    return Behaviors.setup(context -> {
      long[] transfers = {0};
      return Behaviors.receiveMessage(start -> {
        context.spawn(receiver(start, settings), "t-" + ++transfers[0],
            DispatcherSelector.fromConfig(StageWorker.BLOCKING_DISPATCHER));
        return Behaviors.same();
      });
    });
  }

  private record Stalled() implements NoSerializationVerificationNeeded {}

  /**
   * Receives one artifact: grants credit, writes chunks in order, commits once whole and
   * verified. It hears the sender and its own stall timer: hence a behavior of Object.
   */
  private static Behavior<Object> receiver(Start start, TransferSettings settings) {
    ArtifactRef ref = start.ref();
    long chunks = ArtifactStoreProtocol.chunks(ref);
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ArtifactStore.Writer writer = start.store().receive(ref);
      CompletableFuture<ArtifactRef> result = start.result();
      timers.startSingleTimer(new Stalled(), settings.stallTimeout());
      start.server().tell(new ArtifactStoreProtocol.Fetch(ref, context.getSelf().narrow()));
      ActorRef<ArtifactStoreProtocol.Transfer>[] sender = new ActorRef[1];
      long[] next = {0};
      long[] requested = {0};
      return Behaviors.receive(Object.class)
          .onMessage(ArtifactStoreProtocol.Offer.class, offer -> {
            timers.startSingleTimer(new Stalled(), settings.stallTimeout());
            sender[0] = offer.sender();
            requested[0] = Math.min(chunks, settings.window());
            sender[0].tell(new ArtifactStoreProtocol.Demand((int) requested[0]));
            return Behaviors.same();
          })
          .onMessage(ArtifactStoreProtocol.ArtifactChunk.class, chunk -> {
            if (!chunk.sha256().equals(ref.sha256()) || chunk.index() != next[0] || next[0] >= requested[0]) {
              result.completeExceptionally(new CorruptArtifactException(ref.shortName() + ": chunk " + chunk.index()
                  + " arrived where " + next[0] + " was expected"));
              cancel(sender[0], "out of order");
              return Behaviors.stopped();
            }
            timers.startSingleTimer(new Stalled(), settings.stallTimeout());
            next[0]++;
            TRANSFERRED_BYTES.increment(chunk.bytes().length);
            try {
              writer.write(chunk.bytes());
              if (next[0] == chunks) {
                result.complete(writer.commit());
                return Behaviors.stopped();
              }
            } catch (RuntimeException e) {
              // A full disk or bytes that are not what was asked for: the transfer is over either way.
              result.completeExceptionally(e);
              cancel(sender[0], e.getMessage());
              return Behaviors.stopped();
            }
            // Top the window up once half of it has arrived: one credit message per half window.
            long inFlight = requested[0] - next[0];
            if (inFlight <= settings.window() / 2) {
              int more = (int) Math.min(chunks - requested[0], settings.window() - inFlight);
              if (more > 0) {
                requested[0] += more;
                sender[0].tell(new ArtifactStoreProtocol.Demand(more));
              }
            }
            return Behaviors.same();
          })
          .onMessage(ArtifactStoreProtocol.ArtifactMissing.class, missing -> {
            result.completeExceptionally(new CorruptArtifactException(missing.reason()));
            return Behaviors.stopped();
          })
          .onMessage(Stalled.class, stalled -> {
            result.completeExceptionally(new CorruptArtifactException(String.format(
                "%s: the transfer from %s stalled (no progress for %d s after %d of %d MiB)", ref.shortName(),
                start.server().path().address(), settings.stallTimeout().toSeconds(), next[0], chunks)));
            cancel(sender[0], "stalled");
            return Behaviors.stopped();
          })
          .onSignal(PostStop.class, stop -> {
            writer.close();
            result.completeExceptionally(new CorruptArtifactException(ref.shortName() + ": transfer stopped"));
            return Behaviors.same();
          })
          .build();
    }));
  }

  private static void cancel(ActorRef<ArtifactStoreProtocol.Transfer> sender, String reason) {
    if (sender != null) {
      sender.tell(new ArtifactStoreProtocol.Cancel(reason));
    }
  }
}
