package org.subspace.workers.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.util.Set;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.store.ArtifactStore;

/**
 * Serves a store's artifacts to other actors and nodes: each {@link ArtifactStoreProtocol.Fetch}
 * is answered by the node's {@link ArtifactSender} with an offer of a byte stream of its own.
 * This actor itself never touches the disk. Under TLS an offer goes only to a node whose
 * certificate names a role that may pull from the store.
 */
public final class ArtifactServer extends AbstractBehavior<ArtifactStoreProtocol.Command> {
  /** The sweep's store (on the orchestrator's node) registers under this key. */
  public static final ServiceKey<ArtifactStoreProtocol.Command> SWEEP_STORE_KEY =
      ServiceKey.create(ArtifactStoreProtocol.Command.class, "subspace-sweep-artifacts");

  /** A worker's store: only the orchestrator pulls from it. */
  public static Behavior<ArtifactStoreProtocol.Command> create(ArtifactStore store) {
    return ActorMetrics.instrument("artifacts", Behaviors.setup(context ->
        new ArtifactServer(context, store, Set.of(CertifiedRoles.ORCHESTRATOR))));
  }

  /**
   * The sweep's store, which every node pulls inputs from: a server that also registers with the
   * Receptionist.
   */
  public static Behavior<ArtifactStoreProtocol.Command> sweepStore(ArtifactStore store) {
    return ActorMetrics.instrument("artifacts", Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(SWEEP_STORE_KEY, context.getSelf()));
      return new ArtifactServer(context, store, CertifiedRoles.CLUSTER_ROLES);
    }));
  }

  private final ArtifactStore store;
  private final ArtifactFetch transfers;
  private final CertifiedRoles certified;
  /** The roles whose nodes may pull from this store. */
  private final Set<String> pullers;

  private ArtifactServer(ActorContext<ArtifactStoreProtocol.Command> context, ArtifactStore store,
      Set<String> pullers) {
    super(context);
    this.store = store;
    this.transfers = ArtifactFetch.get(context.getSystem());
    this.certified = CertifiedRoles.get(context.getSystem());
    this.pullers = pullers;
  }

  @Override
  public Receive<ArtifactStoreProtocol.Command> createReceive() {
    return newReceiveBuilder().onMessage(ArtifactStoreProtocol.Fetch.class, this::onFetch).build();
  }

  private Behavior<ArtifactStoreProtocol.Command> onFetch(ArtifactStoreProtocol.Fetch fetch) {
    if (!certified.mayAnswer(fetch.replyTo(), pullers)) {
      // The offer's token would go to a node whose certificate does not allow it to pull.
      getContext().getLog().warn("refusing to offer {} to {}", fetch.ref().sha256(),
          certified.refusal(fetch.replyTo(), pullers));
      fetch.replyTo().tell(new ArtifactStoreProtocol.ArtifactMissing(fetch.ref(), "refused: this node's "
          + "certificate does not allow it to pull from " + getContext().getSystem().address()));
      return this;
    }
    transfers.serve(store, fetch);
    return this;
  }
}
