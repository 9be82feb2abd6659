package org.subspace.workers.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.store.ArtifactStore;

/**
 * Serves a store's artifacts to other actors and nodes: each {@link ArtifactStoreProtocol.Fetch}
 * is answered by the node's {@link ArtifactSender} with an offer of a byte stream of its own.
 * This actor itself never touches the disk.
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
  private final ArtifactFetch transfers;

  private ArtifactServer(ActorContext<ArtifactStoreProtocol.Command> context, ArtifactStore store) {
    super(context);
    this.store = store;
    this.transfers = ArtifactFetch.get(context.getSystem());
  }

  @Override
  public Receive<ArtifactStoreProtocol.Command> createReceive() {
    return newReceiveBuilder().onMessage(ArtifactStoreProtocol.Fetch.class, this::onFetch).build();
  }

  private Behavior<ArtifactStoreProtocol.Command> onFetch(ArtifactStoreProtocol.Fetch fetch) {
    transfers.serve(store, fetch);
    return this;
  }
}
