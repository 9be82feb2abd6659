package org.subspace.workers.actors;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.CorruptArtifactException;
import org.subspace.workers.store.StorageFailureException;

/**
 * A node's artifact transfers, one node-wide extension. It pulls artifacts from other nodes'
 * {@link ArtifactServer}s into a local store: each transfer is an {@link ArtifactReceiver} under
 * {@code /system/artifact-fetch/} on the blocking dispatcher; a transfer fails when it stalls,
 * not after a fixed time, and a failed pull is tried again up to {@code subspace.transfer.tries}
 * times in all. And it holds the node's {@link ArtifactSender}, the port every server of the
 * node sends its artifacts' bytes through.
 */
public final class ArtifactFetch implements Extension {
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
  private final ActorRef<ArtifactSender.Command> sender;

  private ArtifactFetch(ActorSystem<?> system) {
    this.settings = TransferSettings.of(system);
    TransferEndpoint endpoint = TransferEndpoint.of(system, settings.port());
    this.receivers = system.systemActorOf(parent(endpoint, settings), "artifact-fetch", Props.empty());
    this.sender = system.systemActorOf(ArtifactSender.create(endpoint, settings), "artifact-send", Props.empty());
  }

  public TransferSettings settings() {
    return settings;
  }

  /** Offers {@code fetch}'s artifact from {@code store} through this node's artifact port. */
  void serve(ArtifactStore store, ArtifactStoreProtocol.Fetch fetch) {
    sender.tell(new ArtifactSender.Serve(store, fetch));
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
      if (StorageFailureException.in(cause).isPresent() || tryNumber >= settings.tries()) {
        return CompletableFuture.<ArtifactRef>failedFuture(tryNumber == 1 ? cause : new CorruptArtifactException(
            "cannot fetch " + ref.shortName() + " from " + server.path().address() + " after " + tryNumber
                + " tries: " + cause.getMessage()));
      }
      return attempt(server, ref, store, tryNumber + 1);
    }).thenCompose(stage -> stage);
  }

  /** Spawns one receiver per transfer, on the blocking dispatcher: receivers write to disk. */
  private static Behavior<Start> parent(TransferEndpoint endpoint, TransferSettings settings) {
    return Behaviors.setup(context -> {
      long[] transfers = {0};
      return Behaviors.receiveMessage(start -> {
        context.spawn(ArtifactReceiver.create(start.server(), start.ref(), start.store(), endpoint, settings,
            start.result()),
            "t-" + ++transfers[0],
            DispatcherSelector.fromConfig(StageWorker.BLOCKING_DISPATCHER));
        return Behaviors.same();
      });
    });
  }
}
