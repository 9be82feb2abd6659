package org.subspace.workers.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.util.Arrays;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.CorruptArtifactException;

/**
 * Serves a node's artifacts to other actors and nodes: the verified bytes of an artifact in
 * chunks of {@link ArtifactStoreProtocol#CHUNK_BYTES} (raw binary serializer), or why they
 * cannot be had.
 */
public final class ArtifactServer extends AbstractBehavior<ArtifactStoreProtocol.Command> {
  /** The sweep's store (on the orchestrator's node) registers under this key. */
  public static final ServiceKey<ArtifactStoreProtocol.Command> SWEEP_STORE_KEY =
      ServiceKey.create(ArtifactStoreProtocol.Command.class, "subspace-sweep-artifacts");

  public static Behavior<ArtifactStoreProtocol.Command> create(ArtifactStore store) {
    return ActorMetrics.instrument("artifacts", Behaviors.setup(context -> new ArtifactServer(context, store)));
  }

  /** A server that also registers as the sweep's store with the Receptionist. */
  public static Behavior<ArtifactStoreProtocol.Command> sweepStore(ArtifactStore store) {
    return ActorMetrics.instrument("artifacts", Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(SWEEP_STORE_KEY, context.getSelf()));
      return new ArtifactServer(context, store);
    }));
  }

  private final ArtifactStore store;

  private ArtifactServer(ActorContext<ArtifactStoreProtocol.Command> context, ArtifactStore store) {
    super(context);
    this.store = store;
  }

  @Override
  public Receive<ArtifactStoreProtocol.Command> createReceive() {
    return newReceiveBuilder().onMessage(ArtifactStoreProtocol.Fetch.class, this::onFetch).build();
  }

  private Behavior<ArtifactStoreProtocol.Command> onFetch(ArtifactStoreProtocol.Fetch fetch) {
    byte[] bytes;
    try {
      bytes = store.read(fetch.ref());
    } catch (CorruptArtifactException e) {
      fetch.replyTo().tell(new ArtifactStoreProtocol.ArtifactMissing(fetch.ref(), e.getMessage()));
      return this;
    }
    int size = ArtifactStoreProtocol.CHUNK_BYTES;
    int count = Math.max(1, (bytes.length + size - 1) / size);
    for (int i = 0; i < count; i++) {
      byte[] chunk = Arrays.copyOfRange(bytes, i * size, Math.min(bytes.length, (i + 1) * size));
      fetch.replyTo().tell(new ArtifactStoreProtocol.ArtifactChunk(fetch.ref(), i, count, chunk));
    }
    return this;
  }
}
