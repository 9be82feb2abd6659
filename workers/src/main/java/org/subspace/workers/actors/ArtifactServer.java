package org.subspace.workers.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.CorruptArtifactException;

/**
 * Serves a node's artifacts to other actors and nodes: the verified bytes of an artifact, or
 * why they cannot be had. The bytes travel through the raw binary serializer.
 */
public final class ArtifactServer extends AbstractBehavior<ArtifactStoreProtocol.Command> {

  public static Behavior<ArtifactStoreProtocol.Command> create(ArtifactStore store) {
    return Behaviors.setup(context -> new ArtifactServer(context, store));
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
    try {
      fetch.replyTo().tell(new ArtifactStoreProtocol.ArtifactData(fetch.ref(), store.read(fetch.ref())));
    } catch (CorruptArtifactException e) {
      fetch.replyTo().tell(new ArtifactStoreProtocol.ArtifactMissing(fetch.ref(), e.getMessage()));
    }
    return this;
  }
}
